/// The Rust scaffold's `src/lib.rs`, with NAME, TYPE and TOPICS still to fill in.
enum RustPluginSource {
    static let text = #"""
//! NAME: a Paka processor.  Logs each event and publishes {"source":"<event id>"} on
//! "NAME.processed".  `paka::Plugin` keeps the ABI's rules (see paka.rs); this file is yours.
pub mod paka;
pub mod paka_abi;

use paka::{Event, Host, Level, Outcome, Plugin};

pub struct TYPE {
    host: Host,
}

impl Plugin for TYPE {
    fn create(host: Host, _config_json: &[u8]) -> Result<Self, String> {
        Ok(TYPE { host })
    }

    fn handle(&mut self, event: &Event) -> Outcome {
        self.host.log(Level::Info, &format!("NAME got {} on {}", event.id_text(), event.topic_text()));
        match self.host.publish("NAME.processed", event.key, derived_json(event.id).as_bytes()) {
            Ok(()) => Outcome::Ok,
            Err(refusal) => refusal.into(),
        }
    }
}

/// {"source":"<id>"}: the id escaped as a JSON string, whatever it contains.
pub fn derived_json(id: &[u8]) -> String {
    let mut json = String::from("{\"source\":\"");
    for c in String::from_utf8_lossy(id).chars() {
        match c {
            '"' => json.push_str("\\\""),
            '\\' => json.push_str("\\\\"),
            c if (c as u32) < 0x20 => json.push_str(&format!("\\u{:04x}", c as u32)),
            c => json.push(c),
        }
    }
    json.push_str("\"}");
    json
}

paka_plugin!(TYPE, name: "NAME", version: "0.1.0", topics: [TOPICS], description: "logs each event and publishes NAME.processed");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_event_escapes_any_id() {
        assert_eq!(derived_json(b"plain"), r#"{"source":"plain"}"#);
        assert_eq!(derived_json(br#"a"b\c"#), r#"{"source":"a\"b\\c"}"#);
        assert_eq!(derived_json(b"tab\there"), r#"{"source":"tab\u0009here"}"#);
    }
}
"""#
}
