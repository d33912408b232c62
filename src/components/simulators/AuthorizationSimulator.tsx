import type { HighlightedSample } from '../../lib/code-samples.ts';
import { authorizationSimulation } from '../../chapters/authorization/simulation.ts';
import { SimulatorShell } from '../../kit/shell/SimulatorShell.tsx';
import { AuthorizationPhone } from '../../chapters/authorization/Phone.tsx';

export default function AuthorizationSimulator({ samples }: { samples: HighlightedSample[] }) {
  return (
    <SimulatorShell
      definition={authorizationSimulation}
      samples={samples}
      renderPhone={(frame, press) => <AuthorizationPhone frame={frame} press={press} />}
    />
  );
}
