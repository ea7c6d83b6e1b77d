//! ISO 3166-1 country codes and names, for "did you mean" on nation ids: `UK`,
//! `GB`, `Britain` and `United Kingdom` all suggest `GBR`.
//!
//! A compact table of the countries likely in a coalition (Europe, NATO, the EU,
//! their partners and neighbours): alpha-3, alpha-2, then names and common
//! aliases separated by `|`.

const COUNTRIES: &[(&str, &str, &str)] = &[
    ("ALB", "AL", "Albania"),
    ("AND", "AD", "Andorra"),
    ("ARG", "AR", "Argentina"),
    ("ARM", "AM", "Armenia"),
    ("AUS", "AU", "Australia"),
    ("AUT", "AT", "Austria"),
    ("AZE", "AZ", "Azerbaijan"),
    ("BEL", "BE", "Belgium"),
    ("BGR", "BG", "Bulgaria"),
    ("BIH", "BA", "Bosnia and Herzegovina|Bosnia"),
    ("BLR", "BY", "Belarus"),
    ("BRA", "BR", "Brazil"),
    ("CAN", "CA", "Canada"),
    ("CHE", "CH", "Switzerland"),
    ("CHL", "CL", "Chile"),
    ("CHN", "CN", "China"),
    ("CYP", "CY", "Cyprus"),
    ("CZE", "CZ", "Czechia|Czech Republic"),
    ("DEU", "DE", "Germany|Deutschland"),
    ("DNK", "DK", "Denmark"),
    ("EGY", "EG", "Egypt"),
    ("ESP", "ES", "Spain|Espana"),
    ("EST", "EE", "Estonia"),
    ("FIN", "FI", "Finland"),
    ("FRA", "FR", "France"),
    (
        "GBR",
        "GB",
        "United Kingdom|UK|Britain|Great Britain|England",
    ),
    ("GEO", "GE", "Georgia"),
    ("GRC", "GR", "Greece"),
    ("HRV", "HR", "Croatia"),
    ("HUN", "HU", "Hungary"),
    ("IND", "IN", "India"),
    ("IRL", "IE", "Ireland"),
    ("ISL", "IS", "Iceland"),
    ("ISR", "IL", "Israel"),
    ("ITA", "IT", "Italy"),
    ("JOR", "JO", "Jordan"),
    ("JPN", "JP", "Japan"),
    ("KAZ", "KZ", "Kazakhstan"),
    ("KOR", "KR", "South Korea|Korea|Republic of Korea"),
    ("LIE", "LI", "Liechtenstein"),
    ("LTU", "LT", "Lithuania"),
    ("LUX", "LU", "Luxembourg"),
    ("LVA", "LV", "Latvia"),
    ("MAR", "MA", "Morocco"),
    ("MCO", "MC", "Monaco"),
    ("MDA", "MD", "Moldova"),
    ("MKD", "MK", "North Macedonia|Macedonia"),
    ("MLT", "MT", "Malta"),
    ("MNE", "ME", "Montenegro"),
    ("NLD", "NL", "Netherlands|Holland|The Netherlands"),
    ("NOR", "NO", "Norway"),
    ("NZL", "NZ", "New Zealand"),
    ("PAK", "PK", "Pakistan"),
    ("POL", "PL", "Poland"),
    ("PRT", "PT", "Portugal"),
    ("ROU", "RO", "Romania"),
    ("RUS", "RU", "Russia|Russian Federation"),
    ("SAU", "SA", "Saudi Arabia"),
    ("SMR", "SM", "San Marino"),
    ("SRB", "RS", "Serbia"),
    ("SVK", "SK", "Slovakia"),
    ("SVN", "SI", "Slovenia"),
    ("SWE", "SE", "Sweden"),
    ("TUR", "TR", "Turkey|Turkiye"),
    ("UKR", "UA", "Ukraine"),
    ("ARE", "AE", "United Arab Emirates|UAE"),
    (
        "USA",
        "US",
        "United States|United States of America|America|US",
    ),
    ("XKX", "XK", "Kosovo"),
    ("ZAF", "ZA", "South Africa"),
];

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The alpha-3 code and English name of the country `word` names (an alpha-2 or
/// alpha-3 code, a name or a common alias; case, spaces and punctuation ignored).
pub fn country(word: &str) -> Option<(&'static str, &'static str)> {
    let w = squash(word);
    if w.is_empty() {
        return None;
    }
    COUNTRIES.iter().find_map(|(a3, a2, names)| {
        let name = names.split('|').next().unwrap_or(a3);
        let hit = squash(a3) == w || squash(a2) == w || names.split('|').any(|n| squash(n) == w);
        hit.then_some((*a3, name))
    })
}

/// The id among `known` that `word` names as a country, with the country's name:
/// `UK` → (`GBR`, "United Kingdom") when `GBR` is known.
pub fn suggest<'a>(word: &str, known: &[&'a str]) -> Option<(&'a str, &'static str)> {
    let (a3, name) = country(word)?;
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(a3))
        .map(|k| (*k, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_codes_and_aliases_find_the_alpha_3_code() {
        assert_eq!(country("UK"), Some(("GBR", "United Kingdom")));
        assert_eq!(country("gb"), Some(("GBR", "United Kingdom")));
        assert_eq!(country("Germany"), Some(("DEU", "Germany")));
        assert_eq!(country("north_macedonia"), Some(("MKD", "North Macedonia")));
        assert_eq!(country("Türkiye"), None);
        assert_eq!(country("Turkiye"), Some(("TUR", "Turkey")));
        assert_eq!(country("Atlantis"), None);
        assert_eq!(
            suggest("UK", &["FRA", "GBR"]),
            Some(("GBR", "United Kingdom"))
        );
        assert_eq!(suggest("UK", &["FRA", "DNK"]), None);
    }
}
