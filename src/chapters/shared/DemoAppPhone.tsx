import type { ComponentProps } from 'react';
import type { Frame } from '../../kit/engine/engine.ts';
import { PhoneFrame } from '../../kit/shell/PhoneFrame.tsx';
import { DEMO_APP } from '../../world/simulated-world.ts';

type DemoAppPhoneProps = Omit<ComponentProps<typeof PhoneFrame>, 'title' | 'clock'> & {
  /** The frame being drawn: the status bar shows its clock. */
  frame: Pick<Frame, 'clock'>;
};

/** The demo mini program (能力实验室) open on a phone at the frame's time: the page most chapters draw. */
export function DemoAppPhone({ frame, ...props }: DemoAppPhoneProps) {
  return <PhoneFrame {...props} title={DEMO_APP.name} clock={frame.clock} />;
}
