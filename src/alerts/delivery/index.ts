export { noticeText, webhookBody, webhookFormat, type Notice, type WebhookFormat } from './message.js';
export { postWebhook, sendEmail, DeliveryError } from './send.js';
export { planDelivery, getDelivery, markAttempt, markDead, listDeliveries, deliveryKey, type Delivery } from './deliveries.js';
export { deliver, type DeliverOptions } from './deliver.js';
export { planListDeliveries, type StaffContact } from './plan.js';
export { notifyStaff } from './notify.js';
