import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { BackgroundFetchPhone } from './Phone.tsx';
import { backgroundFetchSimulation } from './simulation.ts';

export default simulatorIsland(backgroundFetchSimulation, BackgroundFetchPhone);
