//! Plumbing shared by every service.
