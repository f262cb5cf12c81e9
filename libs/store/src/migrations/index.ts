import { InitialSchema1732406400000 } from './0001-initial-schema';

/** Every migration, oldest first. New ones are appended here. */
export const MIGRATIONS = [InitialSchema1732406400000];
