import type { Account } from '../accounts.js';
import { esc, shell } from './shell.js';

export function loginPage(error?: string, next?: string): string {
  return shell(
    null,
    '登录',
    `${error ? `<p class="note" role="alert">${esc(error)}</p>` : ''}<form class="row" method="post" action="/login">${
      next ? `<input type="hidden" name="next" value="${esc(next)}">` : ''
    }
<label>工号<input name="staff_id" autocomplete="username" required maxlength="128"></label>
<label>密码<input name="password" type="password" autocomplete="current-password" required maxlength="512"></label>
<button type="submit">登录</button></form><p class="help">第一次使用或忘记密码：请管理员发给您一个设置密码的链接。</p>`,
  );
}

/** The page a first-sign-in link opens: the owner chooses their password; nobody else learns it. */
export function welcomePage(a: Account, token: string, csrf: string, error?: string): string {
  return shell(
    null,
    '设置密码',
    `<p>${esc(a.display_name || a.staff_id)}，您好：请为工号 <b>${esc(a.staff_id)}</b> 设置密码（至少 10 个字符）。此链接只能使用一次。</p>${
      error ? `<p class="note" role="alert">${esc(error)}</p>` : ''
    }
<form class="row" method="post" action="/welcome"><input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="token" value="${esc(token)}">
<label>新密码<input name="password" type="password" autocomplete="new-password" minlength="10" maxlength="512" required></label>
<label>再输入一次<input name="again" type="password" autocomplete="new-password" minlength="10" maxlength="512" required></label><button>保存并登录</button></form>`,
  );
}
