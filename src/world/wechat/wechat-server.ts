/**
 * The simulated WeChat server (微信服务器): the object the world, the WeChat
 * client and the companion's emulator talk to for accounts, login, tokens,
 * phone numbers and subscribe messages. It holds no rules of its own; each
 * capability lives in its module, with the official page of the rules it
 * enforces:
 *
 * - accounts.ts: mini programs, users, openid / unionid;
 * - login-sessions.ts: wx.login codes, session_key and its rotation, code2Session;
 * - access-token-issuer.ts: /cgi-bin/token, /cgi-bin/stable_token, the token check;
 * - phone-numbers.ts: the getPhoneNumber button, its quota and fee, getuserphonenumber;
 * - subscribe-messages.ts: templates, wx.requestSubscribeMessage and its popup,
 *   the quota ledger, subscribe/send, event pushes.
 *
 * Capabilities that keep state on the phone or in a chat rather than on
 * WeChat's server are their own objects, built by whoever needs them:
 * share.ts (ShareGroups: cards, shareTicket, group ids), background-fetch.ts
 * (the client's two cache slots), worker.ts, launch-app.ts. *
 * All modules share one clock and one seeded RandomSource, and each call here
 * draws from it exactly as that module does, so a replayed deep link yields
 * the same codes, keys and ids.
 */
import type { Clock } from '../support/clock.ts';
import type { RandomSource } from '../support/random.ts';
import {
  AccessTokenIssuer,
  type AccessTokenResponse,
  type AccessTokenStatus,
  type StableTokenBody,
  type TokenQuery,
} from './access-token-issuer.ts';
import { WeChatAccounts, type MiniProgramAccount, type WeChatUser } from './accounts.ts';
import {
  LoginSessions,
  type Code2SessionQuery,
  type Code2SessionResponse,
  type InjectableFault,
  type LoginRules,
  type RotationChoice,
} from './login-sessions.ts';
import {
  PhoneNumbers,
  type EncryptedPhoneDetail,
  type GetUserPhoneNumberResponse,
  type NoQuota,
  type PhoneCodeIssue,
} from './phone-numbers.ts';
import {
  SubscribeMessages,
  type LedgerRow,
  type PopupAnswer,
  type RequestSubscribeStart,
  type RequestSubscribeSuccess,
  type SentSubscribeMessage,
  type SubscribeEra,
  type SubscribeEventPush,
  type SubscribeSendResponse,
  type SubscribeTemplate,
  type SubscriptionsSettingView,
  type TemplateKind,
} from './subscribe-messages.ts';

export interface WeChatServerOptions extends LoginRules {
  clock: Clock;
  random: RandomSource;
}

export class WeChatServer {
  readonly #accounts: WeChatAccounts;
  readonly #login: LoginSessions;
  readonly #tokens: AccessTokenIssuer;
  readonly #phone: PhoneNumbers;
  readonly #subscribe: SubscribeMessages;

  constructor(options: WeChatServerOptions) {
    const { clock, random } = options;
    const accounts = new WeChatAccounts({ random });
    const login = new LoginSessions({ ...options, accounts });
    const tokens = new AccessTokenIssuer({ clock, random, accounts });
    this.#accounts = accounts;
    this.#login = login;
    this.#tokens = tokens;
    this.#phone = new PhoneNumbers({ clock, random, accounts, sessions: login, tokens, codeLifetimeMs: login.codeLifetimeMs });
    this.#subscribe = new SubscribeMessages({ clock, random, accounts, tokens });
  }

  // ── Accounts ──

  registerApp(app: MiniProgramAccount): void {
    this.#accounts.registerApp(app);
  }

  registerUser(user: WeChatUser): void {
    this.#accounts.registerUser(user);
  }

  user(userId: string): WeChatUser | undefined {
    return this.#accounts.user(userId);
  }

  app(appid: string): MiniProgramAccount | undefined {
    return this.#accounts.app(appid);
  }

  /** Issues the openid on first use, which draws from the seeded random. */
  openid(appid: string, userId: string): string {
    return this.#accounts.openid(appid, userId);
  }

  /** The openid if one was ever issued; unlike `openid`, it draws nothing, so a view can call it without changing a replay. */
  issuedOpenid(appid: string, userId: string): string | undefined {
    return this.#accounts.issuedOpenid(appid, userId);
  }

  // ── Login: what the WeChat client asks its own server, and code2Session ──

  /** Backs wx.login. */
  issueLoginCode(appid: string, userId: string): string {
    return this.#login.issueLoginCode(appid, userId);
  }

  /** Backs wx.checkSession. */
  checkSession(appid: string, userId: string): boolean {
    return this.#login.checkSession(appid, userId);
  }

  /** `GET /sns/jscode2session` (auth.code2Session). */
  jscode2session(query: Code2SessionQuery): Code2SessionResponse {
    return this.#login.jscode2session(query);
  }

  /** What WeChat would say of an access_token now, without using it: for views and tests. */
  accessTokenStatus(value: string): AccessTokenStatus {
    return this.#tokens.status(value);
  }

  // ── Phone number ──

  /** What the old getPhoneNumber button's e.detail carries: the number encrypted with the session_key of this moment. */
  encryptPhoneNumber(appid: string, userId: string): Promise<EncryptedPhoneDetail> {
    return this.#phone.encryptPhoneNumber(appid, userId);
  }

  /** A tap on the old button: quota and charge as for the new one, then the encrypted number. */
  tapOldPhoneButton(appid: string, userId: string): Promise<({ ok: true } & EncryptedPhoneDetail) | NoQuota> {
    return this.#phone.tapOldPhoneButton(appid, userId);
  }

  /** Backs the new getPhoneNumber button. */
  issuePhoneCode(appid: string, userId: string): PhoneCodeIssue {
    return this.#phone.issuePhoneCode(appid, userId);
  }

  phoneQuota(appid: string): number {
    return this.#phone.quota(appid);
  }

  /** Successful calls so far; what they cost is PHONE_FEE_FEN each once the trial quota is used. */
  phoneCharges(appid: string): number {
    return this.#phone.charges(appid);
  }

  setPhoneQuota(appid: string, remaining: number): void {
    this.#phone.setQuota(appid, remaining);
  }

  /** `POST /wxa/business/getuserphonenumber?access_token=…`. */
  getuserphonenumber(query: { access_token?: string }, body: unknown): GetUserPhoneNumberResponse {
    return this.#phone.getuserphonenumber(query, body);
  }

  // ── access_token ──

  /** `GET /cgi-bin/token`. */
  token(query: TokenQuery): AccessTokenResponse {
    return this.#tokens.token(query);
  }

  /** `POST /cgi-bin/stable_token`. */
  stableToken(body: StableTokenBody): AccessTokenResponse {
    return this.#tokens.stableToken(body);
  }

  // ── Subscribe messages ──

  /** What 订阅消息 → 选用模板 does in the admin console; returns the template id. */
  addSubscribeTemplate(appid: string, template: { title: string; keywords: string[]; id?: string; kind?: TemplateKind }): string {
    return this.#subscribe.addTemplate(appid, template);
  }

  subscribeTemplate(appid: string, templateId: string): SubscribeTemplate | undefined {
    return this.#subscribe.template(appid, templateId);
  }

  /** Backs `accept` in wx.requestSubscribeMessage for a one-time template; returns the sends now allowed. */
  acceptSubscription(appid: string, userId: string, templateId: string): number {
    return this.#subscribe.accept(appid, userId, templateId);
  }

  subscriptionsLeft(appid: string, userId: string, templateId: string): number {
    return this.#subscribe.left(appid, userId, templateId);
  }

  sentSubscribeMessages(appid: string): SentSubscribeMessage[] {
    return this.#subscribe.sent(appid);
  }

  /** `POST /cgi-bin/message/subscribe/send?access_token=…`. */
  subscribeMessageSend(query: { access_token?: string }, body: unknown): SubscribeSendResponse {
    return this.#subscribe.send(query, body);
  }

  /** wx.requestSubscribeMessage, first half: fail, answer silently (kept choices), or a popup to show. */
  beginSubscribeRequest(appid: string, userId: string, call: { tmplIds: unknown; fromTap: boolean; era: SubscribeEra }): RequestSubscribeStart {
    return this.#subscribe.beginRequest(appid, userId, call);
  }

  /** wx.requestSubscribeMessage, second half: the user's answer in the popup. */
  answerSubscribePopup(
    appid: string,
    userId: string,
    call: { asking: readonly string[]; settled: RequestSubscribeSuccess['result']; answer: PopupAnswer },
  ): RequestSubscribeSuccess['result'] {
    return this.#subscribe.answerPopup(appid, userId, call);
  }

  /** The user sets 拒收 in 服务通知. */
  rejectSubscriptionInInbox(appid: string, userId: string, templateId: string): void {
    this.#subscribe.rejectInInbox(appid, userId, templateId);
  }

  subscribeLedger(appid: string, userId: string): LedgerRow[] {
    return this.#subscribe.ledger(appid, userId);
  }

  subscriptionsSetting(appid: string, userId: string): SubscriptionsSettingView {
    return this.#subscribe.subscriptionsSetting(appid, userId);
  }

  setSubscribeMainSwitch(appid: string, userId: string, on: boolean): void {
    this.#subscribe.setMainSwitch(appid, userId, on);
  }

  setSubscribeIndustry(appid: string, industry: string): void {
    this.#subscribe.setIndustry(appid, industry);
  }

  /** Long-term templates are open only to some industries (LONG_TERM_INDUSTRIES). */
  subscribeLongTermAllowed(appid: string): boolean {
    return this.#subscribe.longTermAllowed(appid);
  }

  setLivePages(appid: string, pages: readonly string[] | undefined): void {
    this.#subscribe.setLivePages(appid, pages);
  }

  /** The subscribe event pushes WeChat made for this app, oldest first. */
  subscribeEvents(appid: string): SubscribeEventPush[] {
    return this.#subscribe.events(appid);
  }

  // ── World controls: what a reader or a test may do to WeChat ──

  /** The next call to `api` fails with this errcode, once. */
  injectFault(api: 'jscode2session', errcode: InjectableFault): void {
    this.#login.injectFault(api, errcode);
  }

  pendingFault(api: 'jscode2session'): InjectableFault | undefined {
    return this.#login.pendingFault(api);
  }

  setHighRisk(userId: string, highRisk: boolean): void {
    this.#accounts.setHighRisk(userId, highRisk);
  }

  /** WeChat ends the session on its own (inactivity, risk control…): the next checkSession fails. */
  expireSession(appid: string, userId: string): void {
    this.#login.expireSession(appid, userId);
  }

  setNextRotation(appid: string, userId: string, choice: RotationChoice): void {
    this.#login.setNextRotation(appid, userId, choice);
  }

  nextRotation(appid: string, userId: string): RotationChoice {
    return this.#login.nextRotation(appid, userId);
  }

  /** The session_key WeChat currently considers valid for this user, if any: for inspection and encryption. */
  currentSessionKey(appid: string, userId: string): string | undefined {
    return this.#login.currentSessionKey(appid, userId);
  }
}
