//! `network!` and `#[derive(Backprop)]`: a fully connected network declared at compile time,
//! turned into straight-line forward and backward passes.
//!
//! The stages, one module each, in the order they run:
//! - `parse_network` and `parse_derive`, the two front ends, read the input into one description
//!   (`ast::Network`), recording every mistake they find and going on;
//! - `valid` checks the description in a pass of its own and returns its resolved form
//!   (`resolved::Resolved`), every size and name known;
//! - `expand` turns the resolved form into Rust, or a description with mistakes into its errors
//!   and a stub; it checks nothing.
//!
//! `explain` writes the equations and the circuit the generated code documents and returns;
//! `names` and `size` serve the parsers and the checks.

pub mod ast;
pub mod expand;
mod explain;
mod names;
pub mod parse_derive;
pub mod parse_network;
pub mod resolved;
mod size;
pub mod valid;
