import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { LaunchAppPhone } from './Phone.tsx';
import { launchAppSimulation } from './simulation.ts';

export default simulatorIsland(launchAppSimulation, LaunchAppPhone);
