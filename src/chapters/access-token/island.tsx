import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { accessTokenSimulation } from './simulation.ts';

export default simulatorIsland(accessTokenSimulation);
