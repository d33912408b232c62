import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { LoginPhone } from './Phone.tsx';
import { loginSimulation } from './simulation.ts';

export default simulatorIsland(loginSimulation, LoginPhone);
