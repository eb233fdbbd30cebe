import nodemailer from 'nodemailer';

/** A push that failed; retried by the queue unless `permanent`. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
  }
}

/**
 * POSTs JSON with an Idempotency-Key header, so a receiver that saw the request before can drop
 * the repeat a retry makes. 2xx is delivered; 4xx (but 408 and 429) will never succeed.
 */
export async function postWebhook(url: string, body: unknown, idempotencyKey: string, timeoutMs = 10_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'idempotency-key': idempotencyKey },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new DeliveryError(`webhook unreachable: ${(e as Error).message}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (res.ok) return;
  const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
  throw new DeliveryError(`webhook answered ${res.status}`, permanent);
}

/** Sends one e-mail over SMTP (`smtp://host:port`); the Message-ID carries the idempotency key. */
export async function sendEmail(smtpUrl: string, o: { from: string; to: string; subject: string; text: string; idempotencyKey: string }): Promise<void> {
  const transport = nodemailer.createTransport(smtpUrl);
  try {
    await transport.sendMail({
      from: o.from,
      to: o.to,
      subject: o.subject,
      text: o.text,
      messageId: `<${o.idempotencyKey}@ews>`,
      textEncoding: 'base64',
      headers: { 'X-Idempotency-Key': o.idempotencyKey },
    });
  } catch (e) {
    const code = (e as { responseCode?: number }).responseCode;
    throw new DeliveryError(`smtp: ${(e as Error).message}`, code !== undefined && code >= 500 && code < 600 && code !== 552);
  } finally {
    transport.close();
  }
}
