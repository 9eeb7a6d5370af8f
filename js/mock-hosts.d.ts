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
