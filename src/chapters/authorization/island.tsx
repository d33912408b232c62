import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { AuthorizationPhone } from './Phone.tsx';
import { authorizationSimulation } from './simulation.ts';

export default simulatorIsland(authorizationSimulation, AuthorizationPhone);
