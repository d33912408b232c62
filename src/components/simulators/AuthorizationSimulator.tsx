import type { HighlightedSample } from '../../lib/code-samples.ts';
import { authorizationSimulation } from '../../simulations/authorization.ts';
import { SimulatorShell } from '../../simulator/SimulatorShell.tsx';
import { AuthorizationPhone } from './AuthorizationPhone.tsx';

export default function AuthorizationSimulator({ samples }: { samples: HighlightedSample[] }) {
  return (
    <SimulatorShell
      definition={authorizationSimulation}
      samples={samples}
      renderPhone={(frame, press) => <AuthorizationPhone frame={frame} press={press} />}
    />
  );
}
