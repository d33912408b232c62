import type { HighlightedSample } from '../../lib/code-samples.ts';
import { loginSimulation } from '../../chapters/login/simulation.ts';
import { SimulatorShell } from '../../kit/shell/SimulatorShell.tsx';
import { LoginPhone } from '../../chapters/login/Phone.tsx';

export default function LoginSimulator({ samples }: { samples: HighlightedSample[] }) {
  return (
    <SimulatorShell
      definition={loginSimulation}
      samples={samples}
      renderPhone={(frame, press) => <LoginPhone frame={frame} press={press} />}
    />
  );
}
