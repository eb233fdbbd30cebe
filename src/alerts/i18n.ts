/** What head teachers and psychologists read, in zh-CN (default) and English. */
export type Lang = 'zh-CN' | 'en';

export const TEXT = {
  'zh-CN': {
    teacherTitle: (cls: string, asOf: string) => `${cls} 学生关注周报（截至 ${asOf}）`,
    triageTitle: (school: string, asOf: string) => `${school} 心理辅导优先名单（截至 ${asOf}）`,
    privacy: '本名单仅供跟进使用：请勿公开、张贴或告知学生本人；名单是谈话的提示，不是对学生的结论。',
    columns: { rank: '班级排名', schoolRank: '全校排名', student: '学生编号', cls: '班级', tier: '关注等级', risk: '风险', change: '本周变化', reasons: '主要原因', attendance: '近8周无故缺勤', grades: '近4次考试排位', wellbeing: '心理筛查', family: '近期家庭变故' },
    tier: { high: '重点关注', medium: '留意', low: '一般' },
    change: { new: '新列入', risen: '上升', fallen: '下降', same: '持平' },
    leftList: '本周移出名单',
    noneOnList: '本周班级内没有需要重点关注的学生。',
    acuteFirst: '心理筛查预警或近期重大家庭变故的学生排在最前。',
    flagged: '预警',
    notFlagged: '未预警',
    footer: (model: string, at: string) => `模型 ${model} · 生成于 ${at}`,
    counts: (high: number, medium: number) => `重点关注 ${high} 人，留意 ${medium} 人`,
  },
  en: {
    teacherTitle: (cls: string, asOf: string) => `Weekly watch list for ${cls} (as of ${asOf})`,
    triageTitle: (school: string, asOf: string) => `Counselling priority list for ${school} (as of ${asOf})`,
    privacy: 'For follow-up only: do not publish or post this list or tell students they are on it. It prompts a conversation; it is not a verdict on a student.',
    columns: { rank: 'Rank in class', schoolRank: 'Rank in school', student: 'Student', cls: 'Class', tier: 'Tier', risk: 'Risk', change: 'This week', reasons: 'Main reasons', attendance: 'Unexcused absence, 8 weeks', grades: 'Standing, last 4 exams', wellbeing: 'Screening', family: 'Recent family event' },
    tier: { high: 'high', medium: 'medium', low: 'low' },
    change: { new: 'new', risen: 'risen', fallen: 'fallen', same: 'same' },
    leftList: 'Off the list this week',
    noneOnList: 'No student in this class needs close attention this week.',
    acuteFirst: 'Students flagged by screening or hit by a severe family event come first.',
    flagged: 'flagged',
    notFlagged: 'not flagged',
    footer: (model: string, at: string) => `model ${model} · made ${at}`,
    counts: (high: number, medium: number) => `${high} high, ${medium} medium`,
  },
} as const;
