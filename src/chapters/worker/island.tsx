import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { WorkerPhone } from './Phone.tsx';
import { workerSimulation } from './simulation.ts';

export default simulatorIsland(workerSimulation, WorkerPhone);
