//! The black-box tests: one binary, a module per area. Every test starts
//! its own server (in-process on a free port of 127.0.0.1, or the real
//! binary) and talks to it over real HTTP.

mod helpers;

mod access_token;
mod admin;
mod asymmetric_service;
mod b2b2c;
mod binary;
mod docker;
mod embedding;
mod fuzz;
mod inspector;
mod introspect;
mod layers;
mod openapi;
mod payments;
mod preset_quirks;
mod probe;
mod providers;
mod reliability;
mod replicas;
mod scenarios;
mod tls;
mod tools;
mod transactional;
