/**
 * The one registry of error codes. A code is never reused for another meaning;
 * retire it instead. `retry` says whether a queue should try the job again.
 */
export const ERROR_CODES = {
  EWS_MISSING_FILE: { retry: false, text: 'a required input file is absent' },
  EWS_MISSING_COLUMN: { retry: false, text: 'a required column is absent from an input file' },
  EWS_UNREADABLE_FILE: { retry: true, text: 'an input file could not be read' },
  EWS_AMBIGUOUS_SOURCE: { retry: false, text: 'a source is given both as a file and as a folder of files' },
  EWS_BAD_OPTION: { retry: false, text: 'a command-line option or setting is invalid' },
  EWS_BAD_WINDOW: { retry: false, text: 'a date window is impossible' },
  // Retired (every verb is built); kept so the code is never reused for something else.
  EWS_NOT_IMPLEMENTED: { retry: false, text: 'this command is not built yet' },
  EWS_NO_MODEL: { retry: false, text: 'no model is registered or in use' },
  EWS_NO_EXAMPLES: { retry: false, text: 'there is nothing to train or evaluate on' },
  EWS_MODEL_REFUSED: { retry: false, text: 'a trained model failed a check and was not registered' },
  // A server down may come back: a queued job tries again.
  EWS_STORE_UNAVAILABLE: { retry: true, text: 'the system of record could not be opened' },
  // Another pull holds the history: this one can wait and try again.
  EWS_HISTORY_BUSY: { retry: true, text: 'another pull is adding to the same history' },
  EWS_HISTORY_DAMAGED: { retry: false, text: 'a kept history does not read back as it was written' },
  // A school's database down or unreachable may come back.
  EWS_SOURCE_UNAVAILABLE: { retry: true, text: "a school system's database could not be reached" },
  EWS_BAD_QUERY: { retry: false, text: "a source's query failed on the school system's database" },
  EWS_KEY_COLLISION: { retry: false, text: "two rows' keys hash alike: the history cannot tell them apart" },
  EWS_NOTHING_TO_PULL: { retry: false, text: 'a pull holds no source file, or the first pull holds no students.csv' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
