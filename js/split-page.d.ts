import type {
  AuthCodeConsent, AuthorizeButtonEvent, BridgeErrorCode, BridgeErrorDetails, DataConsent,
  EmailAddressButtonEvent, LoginCodeConsent, PhoneNumberButtonEvent, Platform, SubscribeOutcome,
  SubscriptionGrants, SubscriptionGrantsForwarded, SubscriptionsForwarded, UserProfile,
} from "./index";

/** Codes of the page half's errors: the bridge's own, plus what only split mode can go wrong. */
export type SplitErrorCode =
  | BridgeErrorCode
  /** The Worker never acknowledged or finished a flow, or was killed. */
  | "WORKER_UNAVAILABLE"
  /** A malformed, unknown, duplicated or mismatched message between the halves. */
  | "SPLIT_PROTOCOL"
  /** The page half and the Worker half come from different package releases. */
  | "SPLIT_VERSION_MISMATCH"
  /** The page half was disposed (the page went away) before the flow finished. */
  | "PAGE_CLOSED";

/** The page half's error class (the page has no wasm): same code, message and details as direct mode. */
export declare class BridgeError extends Error {
  readonly name: "BridgeError";
  readonly code: SplitErrorCode;
  readonly details: BridgeErrorDetails;
}

/** The Worker object of `my.createWorker` / `wx.createWorker`. */
export interface SplitWorkerLike {
  postMessage(message: object): void;
  onMessage(listener: (message: any) => void): void;
  onProcessKilled?(listener: () => void): void;
  onError?(listener: (error: unknown) => void): void;
}

export interface SplitPageOptions {
  /** The page's host object: `my`, `wx` or `bn`. */
  host: object;
  /** The Worker that runs `serveSplit()`. */
  worker: SplitWorkerLike;
  /**
   * The platform, as ConsentBridge's: when omitted, that of `host` if it is the global
   * `wx`, `bn` or `my`; a host that is no global (a mock) keeps the pre-platform shapes.
   * The Worker's bridge takes it from the page.
   */
  platform?: Platform;
  /** Most templates per subscription request (default: WeChat 5, Binance and Alipay 3); the Worker's bridge takes it from the page. */
  maxTemplatesPerCall?: number;
  /** How long the Worker may take to acknowledge a flow, ms (default 5000). */
  ackTimeoutMs?: number;
  /** A backstop on a whole flow, ms (default 180000). */
  flowTimeoutMs?: number;
  /** Called with a SPLIT_PROTOCOL error for messages that fit no flow (unknown, duplicated, late). */
  onProtocolError?: (error: BridgeError) => void;
}

/** The page half: the ConsentBridge methods, each calling the host synchronously in the tap. */
export declare class SplitPage {
  askPhoneNumber(): Promise<DataConsent>;
  getPhoneNumber(): Promise<unknown>;
  askOpenId(): Promise<DataConsent>;
  getOpenId(): Promise<unknown>;
  askEmailAddress(): Promise<DataConsent>;
  getEmailAddress(): Promise<unknown>;
  askSubscribe(tmplIds: string[]): Promise<SubscribeOutcome | SubscriptionGrants>;
  requestSubscribeMessage(tmplIds: string[]): Promise<SubscriptionsForwarded | SubscriptionGrantsForwarded>;
  askLoginCode(): Promise<LoginCodeConsent>;
  login(): Promise<unknown>;
  askOpenUserInfo(): Promise<UserProfile>;
  getOpenUserInfo(): Promise<unknown>;
  askOpenUserInfoFromEvent(event: AuthorizeButtonEvent): Promise<UserProfile>;
  askAuthCode(scopes: string[]): Promise<AuthCodeConsent>;
  getAuthCode(scopes: string[]): Promise<unknown>;
  phoneNumberFromEvent(event: PhoneNumberButtonEvent): Promise<DataConsent>;
  forwardPhoneNumberEvent(event: PhoneNumberButtonEvent): Promise<unknown>;
  emailAddressFromEvent(event: EmailAddressButtonEvent): Promise<DataConsent>;
  forwardEmailAddressEvent(event: EmailAddressButtonEvent): Promise<unknown>;
  /** Forwards a consent from an ask… method; each token at most once. */
  forward(consent: DataConsent | SubscribeOutcome | SubscriptionGrants | AuthCodeConsent | UserProfile | LoginCodeConsent): Promise<unknown>;
  /** Call from the page's onUnload: ends this page's flows here and in the Worker. */
  dispose(): void;
}

/** Creates the page half of split mode. */
export function createSplitPage(options: SplitPageOptions): SplitPage;
