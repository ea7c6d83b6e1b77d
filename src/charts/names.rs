//! Readable names for what the what-if charts vary and show: a dotted key
//! (`nations.ESP.participation`) becomes "Spain's participation", a domain id its
//! name, from the scenario's names ([`Options::from_model`]) unless `--label`
//! gives one; and the file stems that name a sweep's chart after its keys.

use std::borrow::Cow;

use super::Options;
use crate::model::Model;
use crate::report::Report;

impl Options {
    /// Options that name every entity of `model` (`nations.ESP` → "Spain",
    /// `domains.land` → "Land component", capabilities; conditions and blocs by
    /// their id in words); `--label`s added after these take precedence.
    pub fn from_model(model: &Model) -> Options {
        let mut labels = Vec::new();
        for n in &model.nations {
            labels.push((format!("nations.{}", n.id), n.name.clone()));
        }
        for d in &model.domains {
            labels.push((format!("domains.{}", d.id), d.name.clone()));
        }
        for c in &model.capabilities {
            labels.push((format!("capabilities.{}", c.id), c.name.clone()));
        }
        Options {
            labels,
            ..Options::default()
        }
    }

    /// `report` with the `--label`s given for its nations (`nations.GBR`),
    /// domains (`domains.land`, or `land`) and capabilities
    /// (`capabilities.troops`) as their names: what a run's charts and HTML
    /// page draw. Borrowed as it is when no label names one of them.
    pub fn relabel<'a>(&self, report: &'a Report) -> Cow<'a, Report> {
        if self.labels.is_empty() {
            return Cow::Borrowed(report);
        }
        let mut r = report.clone();
        for (id, n) in &mut r.nations {
            if let Some(l) = self.label(&format!("nations.{id}")) {
                n.name = l.to_string();
            }
        }
        for (id, d) in &mut r.domains {
            if let Some(l) = self
                .label(&format!("domains.{id}"))
                .or_else(|| self.label(id))
            {
                d.name = l.to_string();
            }
        }
        for (id, c) in &mut r.capabilities {
            if let Some(l) = self.label(&format!("capabilities.{id}")) {
                c.name = l.to_string();
            }
        }
        Cow::Owned(r)
    }

    /// The keys a `--label` of a run may name: see [`Options::relabel`].
    pub fn run_keys(report: &Report) -> Vec<String> {
        let nations = report.nations.keys().map(|id| format!("nations.{id}"));
        let domains = report
            .domains
            .keys()
            .flat_map(|id| [format!("domains.{id}"), id.clone()]);
        let caps = report
            .capabilities
            .keys()
            .map(|id| format!("capabilities.{id}"));
        nations.chain(domains).chain(caps).collect()
    }

    /// The name of an entity: its label, else its id in words.
    fn entity(&self, kind: &str, id: &str) -> String {
        self.label(&format!("{kind}.{id}"))
            .map_or_else(|| words(id), str::to_string)
    }

    /// The name of a domain id (`land` → "Land component").
    pub fn domain_name(&self, id: &str) -> String {
        self.label(&format!("domains.{id}"))
            .or_else(|| self.label(id))
            .map_or_else(|| id.to_string(), str::to_string)
    }

    /// A readable name for a dotted key: the `--label` for it, else one made from
    /// the scenario's names ("Spain's participation", "Land component's troops
    /// requirement", "us backstop's probability"), else the key's parts in words.
    pub fn key_name(&self, key: &str) -> String {
        if let Some(l) = self.label(key) {
            return l.to_string();
        }
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            ["nations", id, "contributions", dom, cap, ..] => format!(
                "{} {} for the {}",
                possessive(&self.entity("nations", id)),
                self.entity("capabilities", cap),
                self.entity("domains", dom)
            ),
            ["nations", id, rest @ ..] if !rest.is_empty() => format!(
                "{} {}",
                possessive(&self.entity("nations", id)),
                words(&rest.join(" "))
            ),
            ["domains", id, "requirements", cap, ..] => format!(
                "{} {} requirement",
                possessive(&self.entity("domains", id)),
                self.entity("capabilities", cap)
            ),
            [kind @ ("domains" | "conditions" | "blocs"), id, rest @ ..] if !rest.is_empty() => {
                format!(
                    "{} {}",
                    possessive(&self.entity(kind, id)),
                    words(&rest.join(" "))
                )
            }
            _ => words(&parts.join(" ")),
        }
    }
}

/// An id in words: underscores as spaces.
fn words(id: &str) -> String {
    id.replace('_', " ")
}

/// "Spain's", "Netherlands'".
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}’")
    } else {
        format!("{name}’s")
    }
}

/// A file stem from `prefix` and `keys`: `sweep-nations.ESP.participation`, two
/// keys joined by `-` (characters other than letters, digits, `.`, `_` and `-`
/// become `_`; at most 150 characters).
pub fn file_stem(prefix: &str, keys: &[&str]) -> String {
    let mut s = prefix.to_string();
    for k in keys {
        s.push('-');
        s.extend(k.chars().map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        }));
    }
    if s.len() > 150 {
        s.truncate(150);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts() -> Options {
        Options {
            labels: vec![
                ("nations.ESP".into(), "Spain".into()),
                ("domains.land".into(), "Land component".into()),
                ("capabilities.troops".into(), "troops".into()),
                ("conditions.us_backstop".into(), "the US backstop".into()),
            ],
            ..Options::default()
        }
    }

    #[test]
    fn keys_read_as_names() {
        let o = opts();
        assert_eq!(
            o.key_name("nations.ESP.participation"),
            "Spain’s participation"
        );
        assert_eq!(
            o.key_name("domains.land.requirements.troops"),
            "Land component’s troops requirement"
        );
        assert_eq!(
            o.key_name("conditions.us_backstop.probability"),
            "the US backstop’s probability"
        );
        assert_eq!(
            o.key_name("nations.ESP.contributions.land.troops"),
            "Spain’s troops for the Land component"
        );
        assert_eq!(o.key_name("scenario.rotation"), "scenario rotation");
        assert_eq!(
            o.key_name("conditions.ally_support.probability"),
            "ally support’s probability"
        );
        let mut o = o;
        o.labels.push((
            "nations.ESP.participation".into(),
            "Spanish commitment".into(),
        ));
        assert_eq!(
            o.key_name("nations.ESP.participation"),
            "Spanish commitment"
        );
        assert_eq!(o.domain_name("land"), "Land component");
        assert_eq!(o.domain_name("sea"), "sea");
    }

    #[test]
    fn stems_name_the_keys() {
        assert_eq!(
            file_stem("sweep", &["nations.ESP.participation"]),
            "sweep-nations.ESP.participation"
        );
        assert_eq!(file_stem("sweep", &["a.b", "c/d"]), "sweep-a.b-c_d");
    }
}
