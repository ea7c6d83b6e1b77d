//! `import` end to end: what it reports about the sheet and about the
//! scenario it writes.

mod common;

use common::{forcesim, scratch, write};

/// A scenario with domains land (troops 10) and air (aircraft 1), where no
/// nation contributes aircraft: a warning that the pledges below resolve.
const TWO_DOMAINS: &str = r#"[scenario]
name = "t"
[capabilities]
troops = { unit = "p" }
aircraft = { unit = "a" }
[domains.land]
lead = ["GBR"]
requirements = { troops = 10 }
[domains.air]
lead = ["GBR"]
requirements = { aircraft = 1 }
[nations.GBR]
participation = 0.9
[nations.GBR.contributions.land]
troops = 20
"#;

#[test]
fn import_into_shows_the_warnings_of_the_scenario_it_writes() {
    let dir = scratch();
    let into = write(dir.path(), "inl.toml", TWO_DOMAINS);
    let before = forcesim().arg("validate").arg(&into).output().unwrap();
    let before = String::from_utf8_lossy(&before.stderr);
    assert!(before.contains("domains.air.lead[0]"), "{before}");
    write(
        dir.path(),
        "w.csv",
        "nation,domain,capability,low,likely,high\nGBR,land,aircraft,1,2,3\nGBR,air,aircraft,1,2,3\n",
    );
    let out = forcesim()
        .current_dir(dir.path())
        .args(["import", "w.csv", "--into", "inl.toml", "-o", "w-out.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // The warning the pledges resolved is gone; the one they bring is shown,
    // in the file written.
    assert!(!err.contains("domains.air.lead[0]"), "{err}");
    assert!(
        err.contains("warning: w-out.toml:16:12: nations.GBR.contributions.land.aircraft: `land` does not require aircraft"),
        "{err}"
    );
    assert!(err.contains("wrote w-out.toml (2 pledges)"), "{err}");
}

#[test]
fn a_new_scenario_is_written_with_its_warnings() {
    let dir = scratch();
    let csv = write(
        dir.path(),
        "case.csv",
        "nation,domain,capability,low,likely,high\nGBR,land,troops,1,2,3\ngbr,land,troops,1,2,3\n",
    );
    let out = forcesim().arg("import").arg(&csv).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning: the new scenario:")
            && err.contains("`gbr` and `GBR` differ only in case"),
        "{err}"
    );
    // A clean sheet: no warning.
    let out = forcesim()
        .arg("import")
        .arg(write(
            dir.path(),
            "ok.csv",
            "nation,domain,capability,low,likely,high\nGBR,land,troops,1,2,3\n",
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn a_quote_never_closed_stops_the_import_at_its_cell() {
    let dir = scratch();
    let csv = write(
        dir.path(),
        "unterm.csv",
        "nation,domain,capability,low,likely,high,source\nGBR,land,troops,1,2,3,\"oops\nFRA,land,troops,4,5,6,ok\n",
    );
    let out = forcesim().arg("import").arg(&csv).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("row 2, column G (source): a quote opened here is never closed"),
        "{err}"
    );
}
