import type { HighlightedSample } from '../../lib/code-samples.ts';
import { phoneNumberSimulation } from '../../chapters/phone-number/simulation.ts';
import { SimulatorShell } from '../../kit/shell/SimulatorShell.tsx';
import { PhoneNumberPhone } from '../../chapters/phone-number/Phone.tsx';

export default function PhoneNumberSimulator({ samples }: { samples: HighlightedSample[] }) {
  return (
    <SimulatorShell
      definition={phoneNumberSimulation}
      samples={samples}
      renderPhone={(frame, press) => <PhoneNumberPhone frame={frame} press={press} />}
    />
  );
}
