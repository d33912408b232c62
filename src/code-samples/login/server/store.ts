export interface User {
  id: string;
  openid: string;
  unionid?: string;
  nickname: string | null;
}

export interface SessionRecord {
  userId: string;
  openid: string;
  /** 只存在服务器上：不进响应、不进日志、不进 token */
  sessionKey: string;
  updatedAt: number;
}

export interface UserRepository {
  upsertByOpenid(input: { openid: string; unionid?: string }): Promise<User>;
  findById(id: string): Promise<User | undefined>;
}

export interface SessionStore {
  save(record: SessionRecord): Promise<void>;
  get(userId: string): Promise<SessionRecord | undefined>;
  delete(userId: string): Promise<void>;
}
