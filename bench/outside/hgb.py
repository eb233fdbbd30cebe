import sys, pandas as pd, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, average_precision_score
from sklearn.preprocessing import StandardScaler
from sklearn.pipeline import make_pipeline
from sklearn.impute import SimpleImputer
d = pd.read_csv(sys.argv[1])
feats = [c for c in d.columns if c not in ('block','as_of','student','school','y')]
tr, va, te = (d[d.block==b] for b in ('train','val','test'))
print('n', len(tr), len(va), len(te), 'pos', tr.y.sum(), va.y.sum(), te.y.sum())
lr = make_pipeline(SimpleImputer(add_indicator=True), StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
lr.fit(tr[feats], tr.y); print('logistic test AUC %.3f' % roc_auc_score(te.y, lr.predict_proba(te[feats])[:,1]))
trva = pd.concat([tr, va])
for lrate, leaves, it in [(0.05, 15, 300), (0.05, 31, 500), (0.03, 63, 800)]:
    m = HistGradientBoostingClassifier(learning_rate=lrate, max_leaf_nodes=leaves, max_iter=it, early_stopping=True, validation_fraction=0.15, random_state=0)
    m.fit(tr[feats], tr.y)
    p = m.predict_proba(te[feats])[:,1]
    print('hgb lr=%g leaves=%d iters=%d  test AUC %.3f PR %.3f  val AUC %.3f' % (lrate, leaves, m.n_iter_, roc_auc_score(te.y, p), average_precision_score(te.y, p), roc_auc_score(va.y, m.predict_proba(va[feats])[:,1])))
m = HistGradientBoostingClassifier(learning_rate=0.05, max_leaf_nodes=31, max_iter=500, early_stopping=True, random_state=0)
m.fit(trva[feats], trva.y); print('hgb train+val test AUC %.3f' % roc_auc_score(te.y, m.predict_proba(te[feats])[:,1]))
