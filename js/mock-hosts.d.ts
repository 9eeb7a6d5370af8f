/** How a mock API answers. */
export type MockPlan =
  | { success: unknown | ((options: any) => unknown); via?: 'callback' | 'promise' | 'both'; delayMs?: number; twice?: boolean }
  | { fail: unknown | ((options: any) => unknown); via?: 'callback' | 'promise' | 'both'; delayMs?: number; twice?: boolean }
  | { throws: unknown }
  | 'never'
  | ((options: any) => unknown);

/** A recorded call. */
export interface MockCall { api: string; options: any }

/** A mock host: the scripted APIs plus `request` and the call log. */
export interface MockHost { calls: MockCall[]; request(options: any): { abort(): void }; [api: string]: any }

/** A fresh fake token. */
export function fakeToken(prefix?: string): string;
/** A Binance `bn` host whose consent APIs succeed unless `script` says otherwise. */
export function mockBinanceHost(script?: Record<string, MockPlan>): MockHost;
/** The documented denial of a Binance consent API. */
export function binanceDenial(api: string): MockPlan;
/** The documented `my.getOpenUserInfo` success (a JSON string in `response`). */
export function alipayUserInfo(profile?: Record<string, string>): MockPlan;
/** A documented `my.getOpenUserInfo` failure inside the response string. */
export function alipayUserInfoError(code: '40006' | '40003'): MockPlan;
/** A `my.getAuthCode` failure `{error, errorMessage}`. */
export function alipayAuthError(error: number, errorMessage?: string): MockPlan;
/** An Alipay `my` host whose consent APIs succeed unless `script` says otherwise. */
export function mockAlipayHost(script?: Record<string, MockPlan>): MockHost;
/** A WeChat `wx` host (login, requestSubscribeMessage, callback-only request) that succeeds unless `script` says otherwise. */
export function mockWechatHost(script?: Record<string, MockPlan>): MockHost;
/** A `getPhoneNumber` / `getRealtimePhoneNumber` button event carrying `code`. */
export function wechatPhoneEvent(code?: string, type?: string): { type: string; detail: { errMsg: string; code: string } };
/** The phone button event when the user declines. */
export function wechatPhoneDenial(): { type: string; detail: { errMsg: string } };
/** The phone button event when the quota is used up (errno 1400001). */
export function wechatPhoneQuota(): { type: string; detail: { errMsg: string; errno: number } };
/** A `wx.requestSubscribeMessage` failure `{errMsg, errCode}`. */
export function wechatSubscribeError(errCode: number, errMsg?: string): MockPlan;
/** A `my.requestSubscribeMessage` success with these per-id verdicts. */
export function alipaySubscribeAnswer(verdicts: Record<string, 'accept' | 'reject'>): MockPlan;
/** A `my.requestSubscribeMessage` failure `{errorCode, errorMessage}`. */
export function alipaySubscribeError(errorCode: number, errorMessage?: string): MockPlan;
