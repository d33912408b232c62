import { memo } from 'react';
import type { LaneSpec, TimeScale } from '../engine/definition.ts';
import type { Frame } from '../engine/engine.ts';
import { formatTime, shorten } from './format.ts';

/** Who holds what right now, grouped by the chapter's lanes, and anything that is wrong with it. */
export const WorldPanel = memo(function WorldPanel({ frame, lanes, timeScale }: { frame: Frame; lanes: readonly LaneSpec[]; timeScale: TimeScale }) {
  const { world } = frame;
  const holders = lanes.filter((lane) => world.holdings.some((row) => row.holder === lane.id));
  return (
    <section className="sim-panel sim-world" aria-label="谁持有什么">
      <h3 className="sim-panel__title">谁持有什么</h3>
      <p className="sim-world__clock">
        模拟时钟 <time>{formatTime(timeScale, frame.clock, frame.elapsed)}</time>
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
        {holders.length === 0 && <dd className="sim-holdings__empty">（还没有人持有任何东西）</dd>}
        {holders.map((lane) => {
          const onDevice = lane.trust === 'device';
          return (
            <div key={lane.id} className="sim-holdings__group">
              <dt>{onDevice ? `${lane.label}（手机上）` : lane.label}</dt>
              {world.holdings
                .filter((row) => row.holder === lane.id)
                .map((row) => (
                  <dd key={row.item} className={row.secret ? 'sim-holding sim-holding--secret' : 'sim-holding'}>
                    <span className="sim-holding__item">{row.item}</span>
                    <code className="sim-holding__value" title={row.value}>
                      {shorten(row.value, 64)}
                    </code>
                    {row.secret && (
                      <span className={`sim-badge ${onDevice ? 'sim-badge--danger' : 'sim-badge--secret'}`}>
                        {onDevice ? '不该在这里' : '仅限服务器'}
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
});
