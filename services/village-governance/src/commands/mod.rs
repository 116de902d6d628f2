//! Use cases: one transaction each, called by the REST edge and by event handlers alike.
