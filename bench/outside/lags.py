"""Does a student's recent sequence of weekly feature vectors add anything to the features as of D?

Reads examples-csv.ts output written with LAGS, and fits the same learners on the features as of D alone
and with each behaviour feature's values at earlier example dates; prints test AUCs side by side.
`python3 bench/outside/lags.py OUT.csv` (scikit-learn; Debian's python3-sklearn).
"""
import sys
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

d = pd.read_csv(sys.argv[1])
lagged = [c for c in d.columns if '_lag' in c]
base = [c for c in d.columns if c not in ('block', 'as_of', 'student', 'school', 'y') and c not in lagged]
# Deltas against the student's own earlier weeks: what a sequence model would have to learn first.
for c in lagged:
    d[c.replace('_lag', '_delta')] = d[c.split('_lag')[0]] - d[c]
deltas = [c.replace('_lag', '_delta') for c in lagged]
tr, va, te = (d[d.block == b] for b in ('train', 'val', 'test'))
print('examples', len(tr), len(va), len(te), 'dropouts', int(tr.y.sum()), int(va.y.sum()), int(te.y.sum()), 'lag columns', len(lagged))
for name, cols in (('as of D', base), ('+ lags', base + lagged), ('+ lags and deltas', base + lagged + deltas)):
    lr = make_pipeline(SimpleImputer(add_indicator=True), StandardScaler(), LogisticRegression(max_iter=3000))
    lr.fit(tr[cols], tr.y)
    hgb = HistGradientBoostingClassifier(learning_rate=0.05, max_leaf_nodes=15, max_iter=400, early_stopping=True, validation_fraction=0.15, random_state=0)
    hgb.fit(tr[cols], tr.y)
    print('%-18s logistic %.3f   gradient boosting %.3f (%d trees)' % (
        name, roc_auc_score(te.y, lr.predict_proba(te[cols])[:, 1]), roc_auc_score(te.y, hgb.predict_proba(te[cols])[:, 1]), hgb.n_iter_))
