import { simulatorIsland } from '../../kit/shell/SimulatorShell.tsx';
import { PhoneNumberPhone } from './Phone.tsx';
import { phoneNumberSimulation } from './simulation.ts';

export default simulatorIsland(phoneNumberSimulation, PhoneNumberPhone);
