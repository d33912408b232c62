import { useEffect, useId, useState } from 'react';
import { explainDecrypt, makeSample, type BlockLook, type DecryptExplanation } from './decrypt-explain.ts';

type Field = 'appId' | 'sessionKey' | 'encryptedData' | 'iv';

const FIELDS: { id: Field; label: string; hint: string; multiline?: boolean }[] = [
  { id: 'appId', label: 'AppID', hint: '你的小程序 AppID，用来核对 watermark.appid' },
  { id: 'sessionKey', label: 'session_key', hint: 'code2Session 返回的会话密钥，24 个字符' },
  { id: 'encryptedData', label: 'encryptedData', hint: '按钮回调 e.detail.encryptedData', multiline: true },
  { id: 'iv', label: 'iv', hint: '按钮回调 e.detail.iv，24 个字符' },
];

const EMPTY: Record<Field, string> = { appId: '', sessionKey: '', encryptedData: '', iv: '' };

const STATUS_TEXT = { ok: '通过', failed: '失败', skipped: '未执行' } as const;

const LOOK_TEXT: Record<BlockLook, string> = { text: '可读', fewBytesOff: '个别字节不对', garbled: '乱码' };

/**
 * Decrypts in the browser with WebCrypto; there is no network code here at
 * all, so a pasted session_key cannot leave the page.
 */
export default function DecryptPanel() {
  const base = useId();
  const [values, setValues] = useState(EMPTY);
  const [result, setResult] = useState<DecryptExplanation | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  // The server-rendered form is inert until hydration; say when it can be used (tests wait for this too).
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  const run = async (input: Record<Field, string>) => {
    setBusy(true);
    try {
      setResult(await explainDecrypt(input));
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = (event: { preventDefault(): void }) => {
    event.preventDefault();
    setNote('');
    void run(values);
  };

  const fillSample = async () => {
    const sample = await makeSample();
    const next = { appId: sample.appId, sessionKey: sample.sessionKey, encryptedData: sample.encryptedData, iv: sample.iv };
    setValues(next);
    setResult(null);
    setNote('已用随机生成的 session_key 在本页加密了一个示例手机号。点「解密」看它怎样被还原。');
  };

  return (
    <form className="decrypt-panel not-content" aria-labelledby={`${base}-title`} onSubmit={onSubmit} data-testid="decrypt-panel" data-ready={ready ? 'true' : 'false'}>
      <p id={`${base}-title`} className="decrypt-panel__title">
        自己动手解密
      </p>
      <p className="decrypt-panel__privacy">全部计算在你的浏览器里完成（Web Crypto），输入的内容不会发送到任何地方。</p>
      {FIELDS.map((field) => {
        const id = `${base}-${field.id}`;
        const common = {
          id,
          name: field.id,
          value: values[field.id],
          spellCheck: false,
          autoComplete: 'off',
          'aria-describedby': `${id}-hint`,
          onInput: (e: { currentTarget: { value: string } }) => setValues((v) => ({ ...v, [field.id]: e.currentTarget.value })),
        };
        return (
          <div className="decrypt-panel__field" key={field.id}>
            <label htmlFor={id}>{field.label}</label>
            {field.multiline ? <textarea {...common} rows={4} /> : <input type="text" {...common} />}
            <span id={`${id}-hint`} className="decrypt-panel__hint">
              {field.hint}
            </span>
          </div>
        );
      })}
      <div className="decrypt-panel__actions">
        <button type="submit" className="decrypt-panel__button decrypt-panel__button--primary" aria-busy={busy}>
          解密
        </button>
        <button type="button" className="decrypt-panel__button" onClick={() => void fillSample()}>
          填入示例
        </button>
        <button
          type="button"
          className="decrypt-panel__button"
          onClick={() => {
            setValues(EMPTY);
            setResult(null);
            setNote('');
          }}
        >
          清空
        </button>
      </div>
      <div className="decrypt-panel__output" role="status" aria-live="polite">
        {note && <p>{note}</p>}
        {result && (
          <>
            <p className={result.ok ? 'decrypt-panel__verdict decrypt-panel__verdict--ok' : 'decrypt-panel__verdict decrypt-panel__verdict--failed'}>
              {result.ok ? '解密成功' : `解密失败（错误码 ${result.code}，编号沿用官方示例）`}
            </p>
            <ol className="decrypt-panel__steps">
              {result.steps.map((step) => (
                <li key={step.id} data-status={step.status}>
                  <span className="decrypt-panel__status">{STATUS_TEXT[step.status]}</span> {step.title}
                  <br />
                  <span className="decrypt-panel__detail">{step.detail}</span>
                </li>
              ))}
            </ol>
            {result.ok ? (
              <>
                <pre className="decrypt-panel__json" tabIndex={0} aria-label="解密结果">
                  {JSON.stringify(result.data, null, 2)}
                </pre>
                {result.warning && (
                  <p className="decrypt-panel__cannot-tell">
                    <strong>注意：</strong>
                    {result.warning}
                  </p>
                )}
              </>
            ) : (
              <>
                {result.cbc && (
                  <div className="decrypt-panel__cbc">
                    <p>关掉填充校验再解密一次，逐个看每个 16 字节分组（下面的明文里，不可读的字节显示为 ·，分组之间用 │ 隔开）：</p>
                    <ol className="decrypt-panel__blocks" aria-label="解密后的各个分组">
                      {result.cbc.looks.map((look, index) => (
                        <li key={index} data-look={look}>
                          {index + 1} {LOOK_TEXT[look]}
                        </li>
                      ))}
                    </ol>
                    <pre className="decrypt-panel__json decrypt-panel__preview" tabIndex={0} aria-label="解出的字节（不可读的显示为 ·）">
                      {result.cbc.preview}
                    </pre>
                  </div>
                )}
                <p className="decrypt-panel__cause">
                  <strong>{result.cbc ? '从分组推断：' : '常见原因：'}</strong>
                  {result.cause}
                </p>
                {result.cbc?.cannotTell && (
                  <p className="decrypt-panel__cannot-tell">
                    <strong>面板分不出：</strong>
                    {result.cbc.cannotTell}
                  </p>
                )}
              </>
            )}
          </>
        )}
      </div>
    </form>
  );
}
