import type { HighlightedSample } from '../../lib/code-samples.ts';
import { phoneNumberSimulation } from '../../simulations/phone-number.ts';
import { SimulatorShell } from '../../simulator/SimulatorShell.tsx';
import { PhoneNumberPhone } from './PhoneNumberPhone.tsx';

export default function PhoneNumberSimulator({ samples }: { samples: HighlightedSample[] }) {
  return (
    <SimulatorShell
      definition={phoneNumberSimulation}
      samples={samples}
      renderPhone={(frame, press) => <PhoneNumberPhone frame={frame} press={press} />}
    />
  );
}
