import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { SharePhone } from './Phone.tsx';
import { shareSimulation } from './simulation.ts';

export default simulatorIsland(shareSimulation, SharePhone);
