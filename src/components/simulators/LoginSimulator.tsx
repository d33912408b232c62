import type { HighlightedSample } from '../../lib/code-samples.ts';
import { loginSimulation } from '../../simulations/login.ts';
import { SimulatorShell } from '../../simulator/SimulatorShell.tsx';
import { LoginPhone } from './LoginPhone.tsx';

export default function LoginSimulator({ samples }: { samples: HighlightedSample[] }) {
  return (
    <SimulatorShell
      definition={loginSimulation}
      samples={samples}
      renderPhone={(frame, press) => <LoginPhone frame={frame} press={press} />}
    />
  );
}
