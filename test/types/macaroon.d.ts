// npm `macaroon` (a dev dependency: the independent implementation tests check ours against) ships no types.
declare module 'macaroon' {
  interface JsMacaroon {
    addFirstPartyCaveat(condition: string | Uint8Array): void;
    exportBinary(): Uint8Array;
    verify(rootKey: Uint8Array, check: (condition: string) => string | null, discharges?: unknown[]): void;
  }
  const macaroon: {
    importMacaroon(bytes: Uint8Array | string): JsMacaroon;
    newMacaroon(options: {
      identifier: Uint8Array | string;
      location?: string;
      rootKey: Uint8Array | string;
      version?: number;
    }): JsMacaroon;
  };
  export default macaroon;
}
