import type { Lang } from '../i18n.js';

/**
 * What a push says. Pushes often land in group chats (WeCom and DingTalk robots), so every push
 * carries counts and a link — never a student id, a name or a reason. The list is behind the link.
 */
export interface Notice {
  kind: 'weekly_list' | 'urgent' | 'drift' | 'escalation';
  school_id: string;
  recipient: string;
  as_of: string;
  high: number;
  medium: number;
  /** For urgent notices: how many students, and why (a cause, not a person). */
  urgent?: { absence_streak: number; severe_event: number };
  /** For analysts: what drifted beyond its threshold (features, scores, turnover). */
  drift?: string[];
  /** For escalations: how many cases went past their deadline to this recipient's level (never who). */
  escalation?: {
    cases: number;
    level: 'school' | 'township' | 'county' /** Which escalation this is (the cases' ids, hashed): one notice per batch. */;
    batch?: string;
  };
  link: string;
}

export type WebhookFormat = 'json' | 'wecom' | 'dingtalk';

/** WeCom and DingTalk group robots take their own markdown message; anything else gets JSON. */
export function webhookFormat(url: string): WebhookFormat {
  const host = safeHost(url);
  if (host.endsWith('qyapi.weixin.qq.com')) return 'wecom';
  if (host.endsWith('oapi.dingtalk.com')) return 'dingtalk';
  return 'json';
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

export function noticeText(n: Notice, lang: Lang = 'zh-CN'): { title: string; markdown: string; text: string } {
  if (n.kind === 'drift') {
    const title = lang === 'en' ? `Model drift on ${n.as_of}` : `模型数据漂移提醒（${n.as_of}）`;
    const body = (n.drift ?? []).join('\n');
    return { title, markdown: `**${title}**\n\n${body}\n\n[summary](${n.link})`, text: `${title}\n${body}\n${n.link}` };
  }
  if (n.kind === 'escalation') {
    const e = n.escalation ?? { cases: 0, level: 'school' };
    const level =
      lang === 'en'
        ? { school: 'the school', township: 'the township', county: 'the county bureau' }[e.level]
        : { school: '学校', township: '乡镇', county: '县教育局' }[e.level];
    const title = lang === 'en' ? `Cases past their deadline, now with ${level}` : `个案超期提醒：已升级到${level}`;
    const body = lang === 'en' ? `${e.cases} case(s) went past their deadline without a step.` : `${e.cases} 个个案超过期限未跟进，请督办。`;
    const open = lang === 'en' ? 'Open' : '查看';
    return { title, markdown: `**${title}**\n\n${body}\n\n[${open}](${n.link})`, text: `${title}\n${body}\n${n.link}` };
  }
  if (lang === 'en') {
    const title = n.kind === 'urgent' ? 'Urgent: students need a call today' : `Weekly watch list (${n.as_of})`;
    const body =
      n.kind === 'urgent'
        ? `${n.urgent?.absence_streak ?? 0} absent without excuse for days running; ${n.urgent?.severe_event ?? 0} with a severe family event.`
        : `${n.high} students to follow up, ${n.medium} to watch.`;
    return { title, markdown: `**${title}**\n\n${body}\n\n[Open the list](${n.link})`, text: `${title}\n${body}\n${n.link}` };
  }
  const title = n.kind === 'urgent' ? '紧急提醒：有学生需要今天联系' : `学生关注周报（${n.as_of}）`;
  const body =
    n.kind === 'urgent'
      ? `连续无故缺勤 ${n.urgent?.absence_streak ?? 0} 人；近期重大家庭变故 ${n.urgent?.severe_event ?? 0} 人。`
      : `重点关注 ${n.high} 人，留意 ${n.medium} 人。`;
  return { title, markdown: `**${title}**\n\n${body}\n\n[查看名单](${n.link})`, text: `${title}\n${body}\n${n.link}` };
}

export function webhookBody(n: Notice, format: WebhookFormat, lang: Lang = 'zh-CN'): unknown {
  const t = noticeText(n, lang);
  switch (format) {
    case 'wecom':
      return { msgtype: 'markdown', markdown: { content: t.markdown } };
    case 'dingtalk':
      return { msgtype: 'markdown', markdown: { title: t.title, text: t.markdown } };
    case 'json':
      return { event: `ews.${n.kind}`, ...n };
  }
}
