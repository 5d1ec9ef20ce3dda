/** The injection token of the SealedBox this feature seals its state cookie and login codes with. */
export const SEALED_BOX = Symbol('FEDERATION_SEALED_BOX');
