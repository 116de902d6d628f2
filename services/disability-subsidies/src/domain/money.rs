//! Money as integer fen (分): subsidy arithmetic is exact to the fen, never floating point. The
//! type is the mesh's own (`contracts::money::Fen`), shared with aid-applications and the events.

pub use contracts::money::Fen;
