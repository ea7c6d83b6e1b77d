//! ISO 3166 country codes and names, for "did you mean" on nation ids.
