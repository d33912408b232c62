import { LANES } from '../engine/definition.ts';
import type { Frame } from '../engine/engine.ts';
import { formatClock, shorten } from './format.ts';

/** Who holds what right now, and anything that is wrong with it. */
export function WorldPanel({ frame }: { frame: Frame }) {
  const { world } = frame;
  return (
    <section className="sim-panel sim-world" aria-label="谁持有什么">
      <h3 className="sim-panel__title">谁持有什么</h3>
      <p className="sim-world__clock">
        模拟时钟 <time>{formatClock(world.clock)}</time>（北京时间）
      </p>
      {world.findings.map((finding) => (
        <div key={finding.title} className={`sim-finding sim-finding--${finding.level}`} role="status">
          <strong>{finding.title}</strong>
          <p>
            {finding.detail}
            {finding.href && (
              <>
                {' '}
                <a href={finding.href}>官方文档</a>
              </>
            )}
          </p>
        </div>
      ))}
      <dl className="sim-holdings">
        {LANES.filter((lane) => lane.id !== 'client').map((lane) => {
          const rows = world.holdings.filter((row) => row.holder === lane.id);
          return (
            <div key={lane.id} className="sim-holdings__group">
              <dt>{lane.id === 'miniprogram' ? '小程序（手机上）' : lane.label}</dt>
              {rows.length === 0 && <dd className="sim-holdings__empty">（无）</dd>}
              {rows.map((row) => (
                <dd key={`${row.item}`} className={row.secret ? 'sim-holding sim-holding--secret' : 'sim-holding'}>
                  <span className="sim-holding__item">{row.item}</span>
                  <code className="sim-holding__value" title={row.value}>{shorten(row.value, 64)}</code>
                  {row.secret && (
                    <span className={`sim-badge ${lane.id === 'miniprogram' ? 'sim-badge--danger' : 'sim-badge--secret'}`}>
                      {lane.id === 'miniprogram' ? '不该在这里' : '仅限服务器'}
                    </span>
                  )}
                </dd>
              ))}
            </div>
          );
        })}
      </dl>
    </section>
  );
}
