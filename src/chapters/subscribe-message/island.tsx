import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { SubscribePhone } from './Phone.tsx';
import { subscribeSimulation } from './simulation.ts';

export default simulatorIsland(subscribeSimulation, SubscribePhone);
