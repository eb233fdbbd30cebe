import type { Step } from '../../followup/index.js';

/** Follow-up's words as schools say them: steps, causes, statuses and kinds of a case. */
export const STEP_TEXT: Record<Step, string> = {
  acknowledge: '确认收到',
  contact: '联系',
  intervene: '帮扶措施',
  resolve: '结案',
  persuade_visit: '劝返家访',
  return_notice: '发复学通知',
  escalate_township: '报乡镇',
  returned: '已返校',
  left: '已离校',
  reopen: '重新打开',
};
export const CAUSE_TEXT: Record<string, string> = {
  weekly_list: '周名单',
  absence_streak: '连续无故缺勤',
  severe_event: '重大家庭变故',
  by_hand: '手动新建',
  transfer_unconfirmed: '转学未确认接收',
};
export const CASE_STATUS_TEXT: Record<string, string> = {
  new: '新个案',
  acknowledged: '已确认',
  contacted: '已联系',
  intervention: '帮扶中',
  home_visit: '劝返家访中',
  return_notice: '已发复学通知',
  escalated: '已报乡镇',
  resolved: '已结案',
  returned: '已返校',
  left: '已离校',
  escalated_county: '已报县教育局',
  penalty: '行政处罚中',
  judicial: '司法程序中',
  whereabouts_unknown: '下落不明（调查中）',
};
export const KIND_TEXT: Record<string, string> = {
  talk: '谈话',
  home_visit: '家访',
  parents_called: '电话联系家长',
  tutoring: '学业辅导',
  subsidy_applied: '申请资助',
  psychologist_referral: '转介心理老师',
  counselling: '心理辅导',
  other: '其他',
  dropped_out: '辍学',
  transferred: '转学',
};
