//! First run without the repository: `init`, `example`, `import`, completions,
//! the man page, `-j 0`, and every example of every `--help`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{forcesim, scratch, write};

/// The repository's examples/ directory.
fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// A directory holding only a copy of the binary, as after `cargo install`.
fn installed() -> (tempfile::TempDir, PathBuf) {
    let dir = scratch();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let exe = bin.join("forcesim");
    std::fs::copy(common::bin(), &exe).unwrap();
    std::fs::create_dir(dir.path().join("work")).unwrap();
    (dir, exe)
}

/// Runs the copied binary. While another test thread is starting a process, the
/// copy's write handle can be held open in that child until it execs, and
/// running the copy then fails with "text file busy" (ETXTBSY): retried.
fn run_in(exe: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    for _ in 0..100 {
        match Command::new(exe).args(args).current_dir(dir).output() {
            Err(e) if e.raw_os_error() == Some(26) => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other.unwrap(),
        }
    }
    panic!("{} stayed busy", exe.display());
}

#[test]
fn init_validate_run_in_an_empty_directory() {
    let (root, exe) = installed();
    let work = root.path().join("work");
    let out = run_in(&exe, &work, &["init"]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(work.join("tutorial.toml")).unwrap();
    assert!(text.starts_with("#:schema ./forcesim.schema.json\n"));
    assert!(
        !text.contains("scenarios/"),
        "names files that are not there"
    );
    let schema = std::fs::read_to_string(work.join("forcesim.schema.json")).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&schema).is_ok());
    let out = run_in(&exe, &work, &["validate", "tutorial.toml"]);
    assert!(out.status.success(), "{out:?}");
    let out = run_in(&exe, &work, &["run", "tutorial.toml", "-n", "2000"]);
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("All domains covered"));
}

#[test]
fn init_refuses_to_overwrite_unless_forced() {
    let dir = scratch();
    write(dir.path(), "tutorial.toml", "mine");
    forcesim()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("tutorial.toml already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("tutorial.toml")).unwrap(),
        "mine"
    );
    // Nothing else was written either.
    assert!(!dir.path().join("forcesim.schema.json").exists());
    // Another example beside it shares the schema file that init wrote.
    forcesim()
        .current_dir(dir.path())
        .args(["init", "--example", "paris"])
        .assert()
        .success();
    forcesim()
        .current_dir(dir.path())
        .args(["init", "--force"])
        .assert()
        .success();
    assert_ne!(
        std::fs::read_to_string(dir.path().join("tutorial.toml")).unwrap(),
        "mine"
    );
}

#[test]
fn init_force_checks_every_file_before_writing_any() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch();
    // A directory where the schema goes.
    let blocked = dir.path().join("blocked");
    std::fs::create_dir_all(blocked.join("forcesim.schema.json")).unwrap();
    let out = forcesim()
        .args(["init", "--force"])
        .arg(&blocked)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it is a directory (nothing written)"), "{err}");
    assert!(
        !blocked.join("tutorial.toml").exists(),
        "a file was written"
    );
    // A read-only schema file.
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let schema = write(&ro, "forcesim.schema.json", "keep");
    std::fs::set_permissions(&schema, std::fs::Permissions::from_mode(0o444)).unwrap();
    let out = forcesim()
        .args(["init", "--force"])
        .arg(&ro)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("it is read-only"), "{err}");
    assert!(!ro.join("tutorial.toml").exists(), "a file was written");
    assert_eq!(std::fs::read_to_string(&schema).unwrap(), "keep");
}

#[test]
fn init_paris_30k_writes_what_it_extends() {
    let dir = scratch();
    let sub = dir.path().join("plans");
    forcesim()
        .args(["init", "--example", "paris-30k"])
        .arg(&sub)
        .assert()
        .success();
    for f in [
        "paris-2026-30k.toml",
        "paris-2026.toml",
        "forcesim.schema.json",
    ] {
        assert!(sub.join(f).exists(), "{f}");
    }
    forcesim()
        .arg("validate")
        .arg(sub.join("paris-2026-30k.toml"))
        .arg(sub.join("paris-2026.toml"))
        .assert()
        .success();
}

#[test]
fn example_prints_each_scenario() {
    for name in ["tutorial", "paris", "paris-30k"] {
        let out = forcesim().args(["example", name]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("[scenario]"), "{name}");
        assert!(!text.contains("scenarios/"), "{name}");
    }
    // The pledges sheet is the repository's template, byte for byte.
    let out = forcesim().args(["example", "pledges"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        out.stdout,
        std::fs::read(examples().join("pledges.csv")).unwrap()
    );
    forcesim().args(["example", "nope"]).assert().code(2);
}

/// The commands that `forcesim --help` lists (`help` aside).
fn command_names() -> Vec<String> {
    let out = forcesim().arg("--help").output().unwrap();
    let top = String::from_utf8(out.stdout).unwrap();
    let commands: Vec<String> = top
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // Not the lines that go on from a long description.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 12, "{commands:?}");
    commands
}

/// The `forcesim …` lines of each help text, in order, continuation lines joined.
fn help_examples() -> Vec<Vec<String>> {
    let out = forcesim().arg("--help").output().unwrap();
    let mut helps = vec![String::from_utf8(out.stdout).unwrap()];
    for c in &command_names() {
        let out = forcesim().args([c.as_str(), "--help"]).output().unwrap();
        helps.push(String::from_utf8(out.stdout).unwrap());
    }
    let mut all = Vec::new();
    for help in helps {
        let mut lines = Vec::new();
        let mut pending = String::new();
        for l in help.lines() {
            let t = l.trim();
            if pending.is_empty() && !t.starts_with("forcesim ") {
                continue;
            }
            pending.push_str(t.trim_end_matches('\\'));
            pending.push(' ');
            if !t.ends_with('\\') {
                lines.push(std::mem::take(&mut pending));
            }
        }
        all.push(lines);
    }
    all
}

/// The example lines of a help text: the commands (`forcesim …`), the comments
/// among them (`# …`) and the lines that go on from a line ending in ` \`.
fn example_lines(help: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut goes_on = false;
    for l in help.lines() {
        let t = l.trim_start();
        let example = goes_on || t.starts_with("forcesim ") || t.starts_with("# ");
        if example {
            out.push(l);
        }
        goes_on = example && l.ends_with('\\');
    }
    out
}

#[test]
fn help_examples_fit_80_columns_and_copy_whole() {
    let help = |command: Option<&str>, columns: &str| {
        let out = forcesim()
            .args(command)
            .arg("--help")
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let mut commands: Vec<Option<String>> = vec![None];
    commands.extend(command_names().into_iter().map(Some));
    for c in &commands {
        let c = c.as_deref();
        let (wide, narrow) = (help(c, "10000"), help(c, "80"));
        let narrow: Vec<&str> = narrow.lines().collect();
        let examples = example_lines(&wide);
        assert!(!examples.is_empty(), "{c:?} --help has no example");
        for l in examples {
            assert!(
                l.chars().count() <= 78,
                "{c:?} --help: an example line over 78 columns:\n{l}"
            );
            assert!(
                narrow.contains(&l),
                "{c:?} --help at 80 columns splits the example line:\n{l}"
            );
        }
    }
}

/// `line` made cheap and local: a small trial count, outputs into the directory,
/// no pipes into other programs.
fn cheap(line: &str) -> String {
    let line = line.split(" && ").next().unwrap_or(line);
    let line = line.split(" | ").next().unwrap_or(line);
    // A comment after the command.
    let line = match line.find("  # ") {
        Some(i) => &line[..i],
        None => line,
    };
    let words: Vec<&str> = line.split(' ').filter(|w| !w.is_empty()).collect();
    let cmd = words.get(1).copied().unwrap_or("");
    let trials = if line.contains("--shard") {
        "20000"
    } else {
        "1000"
    };
    let mut out = Vec::new();
    let mut i = 0;
    let mut has_n = false;
    while i < words.len() {
        let w = words[i];
        if w == "-n" {
            out.push(format!("-n {trials}"));
            has_n = true;
            i += 2;
            continue;
        }
        if w.starts_with('~') {
            out.push("out.txt".into());
        } else {
            out.push(w.to_string());
        }
        i += 1;
    }
    let mut s = out.join(" ");
    if !has_n && ["run", "sweep", "compare", "secure", "bench"].contains(&cmd) {
        s = s.replacen(
            &format!("forcesim {cmd}"),
            &format!("forcesim {cmd} -n {trials}"),
            1,
        );
    }
    s
}

#[test]
fn every_help_example_works_after_install() {
    let (root, exe) = installed();
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let groups = help_examples();
    assert!(
        groups.iter().map(Vec::len).sum::<usize>() > 25,
        "{groups:#?}"
    );
    for (i, lines) in groups.into_iter().enumerate() {
        // Each help text's examples run in order, in a directory holding what the
        // help texts tell a new user to write first.
        let work = root.path().join(format!("help-{i}"));
        std::fs::create_dir(&work).unwrap();
        for args in [vec!["init"], vec!["init", "--example", "paris-30k"]] {
            assert!(run_in(&exe, &work, &args).status.success());
        }
        for line in lines {
            let cmd = cheap(&line);
            let out = Command::new("sh")
                .args(["-c", &cmd])
                .current_dir(&work)
                .env("PATH", &path)
                .env("HOME", root.path())
                .output()
                .unwrap();
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(3),
                "`{line}` (run as `{cmd}`) failed: {code:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

#[test]
fn zero_threads_means_one_per_core() {
    let dir = scratch();
    forcesim()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .success();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let out = forcesim()
        .current_dir(dir.path())
        .args(["bench", "tutorial.toml", "-n", "5000", "-j", "0"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    let want = format!("{cores} thread{}", if cores == 1 { "" } else { "s" });
    assert!(text.contains(&want), "{text}");
    for cmd in ["run", "sweep"] {
        let mut c = forcesim();
        c.current_dir(dir.path())
            .args([cmd, "tutorial.toml", "-n", "2000", "-j", "0", "-q"]);
        if cmd == "sweep" {
            c.args(["--vary", "domains.land.requirements.troops=3000,4000"]);
        }
        c.assert().success();
    }
    forcesim()
        .args(["run", "x.toml", "-j", "-1"])
        .assert()
        .code(2);
}

#[test]
fn completions_for_every_shell() {
    for (shell, marker) in [
        ("bash", "_forcesim()"),
        ("zsh", "#compdef forcesim"),
        ("fish", "complete -c forcesim"),
        ("elvish", "edit:completion:arg-completer[forcesim]"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = forcesim().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains(marker), "{shell}: {text}");
        assert!(text.contains("import"), "{shell} completes the commands");
    }
    forcesim().args(["completions", "tcsh"]).assert().code(2);
}

#[test]
fn man_page_is_roff_with_every_command() {
    let out = forcesim().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(".TH forcesim 1"), "{text}");
    for c in ["run", "validate", "init", "import", "completions"] {
        assert!(text.contains(c), "{c}");
    }
    let out = forcesim().args(["man", "run"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(".TH forcesim-run 1"), "{text}");
    assert!(text.contains("\\-\\-trials"), "{text}");
    forcesim().args(["man", "nope"]).assert().code(2);
}

/// The template workbook: examples/pledges.csv as a sheet, numbers as numbers.
fn template_workbook() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let text = std::fs::read(examples().join("pledges.csv")).unwrap();
    let rows = forcesim::import::csv_cells(&text).unwrap();
    let mut book = Workbook::new();
    let props = rust_xlsxwriter::DocProperties::new()
        .set_title("forcesim pledges template")
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 1, 1).unwrap());
    book.set_properties(&props);
    let sheet = book.add_worksheet();
    sheet.set_name("pledges").unwrap();
    let bold = Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if r == 0 {
                sheet.write_string_with_format(r, c, cell, &bold).unwrap();
            } else if let Ok(x) = cell.parse::<f64>() {
                sheet.write_number(r, c, x).unwrap();
            } else if !cell.is_empty() {
                sheet.write_string(r, c, cell).unwrap();
            }
        }
    }
    sheet.set_freeze_panes(1, 0).unwrap();
    sheet.autofit();
    book.save_to_buffer().unwrap()
}

#[test]
fn template_workbook_matches_the_csv() {
    let path = examples().join("pledges.xlsx");
    if std::env::var_os("FORCESIM_UPDATE_EXAMPLES").is_some() {
        std::fs::write(&path, template_workbook()).unwrap();
    }
    let csv = forcesim::import::csv_cells(&std::fs::read(examples().join("pledges.csv")).unwrap())
        .unwrap();
    let mut sheet = forcesim::import::read_cells(&path).unwrap();
    // A sheet's rows are as wide as its widest row; the CSV's are already.
    for row in &mut sheet {
        row.resize(csv[0].len(), String::new());
    }
    assert_eq!(
        sheet, csv,
        "examples/pledges.xlsx differs from pledges.csv: run with FORCESIM_UPDATE_EXAMPLES=1"
    );
}

/// A macro-enabled workbook (.xlsm) is read as its .xlsx twin: the template
/// saved under that name gives the same cells.
#[test]
fn an_xlsm_workbook_is_read_as_an_xlsx() {
    let dir = scratch();
    let xlsm = dir.path().join("pledges.xlsm");
    std::fs::copy(examples().join("pledges.xlsx"), &xlsm).unwrap();
    let want = forcesim::import::read_cells(&examples().join("pledges.xlsx")).unwrap();
    assert_eq!(forcesim::import::read_cells(&xlsm).unwrap(), want);
    assert!(want.len() > 1, "{want:?}");
}

#[test]
fn a_pledges_workbook_becomes_a_scenario_that_runs() {
    let dir = scratch();
    let out = dir.path().join("pledges.toml");
    forcesim()
        .arg("import")
        .arg(examples().join("pledges.xlsx"))
        .arg("-o")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("troops = { triangular = [6000, 9000, 12000], source = "),
        "{text}"
    );
    assert!(
        text.contains("aircraft = 2  # source: fixed: two aircraft"),
        "{text}"
    );
    assert!(text.contains("TODO"));
    forcesim().arg("validate").arg(&out).assert().success();
    forcesim()
        .arg("run")
        .arg(&out)
        .args(["-n", "2000", "-q", "--json", "-"])
        .assert()
        .success()
        .stdout(predicates::str::contains("\"p_all_covered\""));
}

#[test]
fn import_into_a_variant_written_elsewhere_still_finds_its_base() {
    let dir = scratch();
    let d = dir.path();
    forcesim()
        .current_dir(d)
        .args(["init", "plans", "--example", "paris-30k"])
        .assert()
        .success();
    std::fs::create_dir(d.join("out")).unwrap();
    forcesim()
        .current_dir(d)
        .arg("import")
        .arg(examples().join("pledges.csv"))
        .args([
            "--into",
            "plans/paris-2026-30k.toml",
            "-o",
            "out/merged.toml",
        ])
        .assert()
        .success();
    let merged = std::fs::read_to_string(d.join("out/merged.toml")).unwrap();
    assert!(
        merged.contains("extends = \"../plans/paris-2026.toml\""),
        "{merged}"
    );
    forcesim()
        .current_dir(d)
        .args(["validate", "out/merged.toml"])
        .assert()
        .success();
    // Written beside the variant, `extends` is left as it is.
    forcesim()
        .current_dir(d.join("plans"))
        .arg("import")
        .arg(examples().join("pledges.csv"))
        .args(["--into", "paris-2026-30k.toml", "-o", "m.toml"])
        .assert()
        .success();
    let beside = std::fs::read_to_string(d.join("plans/m.toml")).unwrap();
    assert!(beside.contains("extends = \"paris-2026.toml\""), "{beside}");
}

#[test]
fn import_into_a_scenario_keeps_its_comments() {
    let dir = scratch();
    forcesim()
        .current_dir(dir.path())
        .args(["init", "--example", "paris"])
        .assert()
        .success();
    let base = std::fs::read_to_string(dir.path().join("paris-2026.toml")).unwrap();
    let out = dir.path().join("merged.toml");
    forcesim()
        .current_dir(dir.path())
        .arg("import")
        .arg(examples().join("pledges.csv"))
        .args(["--into", "paris-2026.toml", "--dist", "pert", "-o"])
        .arg(&out)
        .assert()
        .success();
    let merged = std::fs::read_to_string(&out).unwrap();
    let comments = |t: &str| {
        t.lines()
            .filter(|l| l.trim_start().starts_with('#'))
            .count()
    };
    assert_eq!(comments(&merged), comments(&base), "every comment kept");
    assert!(
        merged.contains("troops = { pert = [300, 600, 1000] }"),
        "NLD land"
    );
    // BEL pledged no aircraft before; the row adds it.
    assert!(
        merged.contains("[nations.BEL.contributions.air]\naircraft = 2"),
        "BEL air"
    );
    forcesim()
        .arg("run")
        .arg(&out)
        .args(["-n", "2000", "-q"])
        .assert()
        .success();
}

#[test]
fn a_pledge_past_the_value_limit_is_named_by_row_and_column() {
    let dir = scratch();
    let csv = write(
        dir.path(),
        "huge.csv",
        "nation,domain,capability,low,likely,high\nGBR,land,troops,1,1e300,1e300\n",
    );
    let out = forcesim().arg("import").arg(&csv).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "row 2, column E (likely): 1e300 is too large to count: a pledge is at most 1000000000000",
        "row 2, column F (high): 1e300 is too large to count",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
    assert!(!err.contains("the new scenario"), "{err}");
}

#[test]
fn workbook_cells_are_quoted_as_the_sheet_shows_them() {
    use rust_xlsxwriter::{Formula, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in ["nation", "domain", "capability", "low", "likely", "high"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["GBR", "land", "troops"].iter().enumerate() {
        sheet.write_string(1, c as u16, *v).unwrap();
    }
    let div0 = Formula::new("=1/0").set_result("#DIV/0!");
    sheet.write_formula(1, 3, div0).unwrap();
    sheet.write_number(1, 4, 1e308).unwrap();
    sheet.write_number(1, 5, 1e308).unwrap();
    let dir = scratch();
    let path = write(dir.path(), "p.xlsx", book.save_to_buffer().unwrap());
    let out = forcesim().arg("import").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "row 2, column D (low): `#DIV/0!` is not a number",
        "row 2, column E (likely): 1e308 is too large to count",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
    assert!(!err.contains("the new scenario"), "{err}");
}

#[test]
fn importing_a_directory_is_bad_input() {
    let dir = scratch();
    let out = forcesim().arg("import").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("a directory, not a pledges file"), "{err}");
}

#[test]
fn every_bad_row_is_reported_at_once() {
    let dir = scratch();
    let csv = write(
        dir.path(),
        "bad.csv",
        "nation,domain,capability,low,likely,high,participation\n\
         GBR,land,troops,6000,9000,12000,0.9\n\
         FRA,land,,five,8000,7000,95\n\
         DEU,land,troops,-5,0,10,\n",
    );
    let out = forcesim().arg("import").arg(&csv).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "row 3, column C (capability): the capability is missing",
        "row 3, column D (low): `five` is not a number",
        "row 3, column F (high): high 7000 is below likely 8000",
        "row 3, column G (participation): 95 is not a probability: did you mean 0.95",
        "row 4, column D (low): -5 is negative",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
    // Unknown ids are checked against the scenario given with --into.
    forcesim()
        .current_dir(dir.path())
        .args(["init", "--example", "paris"])
        .assert()
        .success();
    let csv = write(
        dir.path(),
        "ids.csv",
        "nation,domain,capability,low,likely,high\nFRAA,lnad,troops,1,2,3\nFRA,land,tropps,1,2,3\nUK,land,troops,1,2,3\nUKR,land,troops,1,2,3\n",
    );
    let out = forcesim()
        .current_dir(dir.path())
        .arg("import")
        .arg(&csv)
        .args(["--into", "paris-2026.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "row 2, column A (nation): the scenario has no nation `FRAA` (did you mean `FRA`?)",
        "row 2, column B (domain): the scenario has no domain `lnad` (did you mean `land`?)",
        "row 3, column C (capability): the scenario has no capability `tropps` (did you mean `troops`?)",
        "row 4, column A (nation): the scenario has no nation `UK` (did you mean `GBR`, United Kingdom?)",
        // Two letters of three changed is another country, not a typo.
        "row 5, column A (nation): the scenario has no nation `UKR`\n",
    ] {
        assert!(err.contains(want), "missing `{want}` in:\n{err}");
    }
}

/// The README's "Install and first run" commands, after `cargo install`.
fn readme_first_run() -> Vec<String> {
    let readme = include_str!("../README.md");
    let section = readme
        .split("### Install and first run")
        .nth(1)
        .expect("the section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("its commands");
    block
        .lines()
        .filter(|l| !l.starts_with("cargo install"))
        .map(|l| l.split("  #").next().unwrap_or(l).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn the_readmes_first_run_works_in_order() {
    let (root, exe) = installed();
    let lines = readme_first_run();
    assert!(lines.len() >= 6, "{lines:?}");
    let script = format!("set -e\n{}\n", lines.join("\n"));
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .args(["-c", &script])
        .current_dir(root.path().join("work"))
        .env("PATH", &path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan = root.path().join("work/my-plan");
    for f in ["tutorial.toml", "paris-2026.toml", "paris-2026-30k.toml"] {
        assert!(plan.join(f).exists(), "{f}");
    }
    // The reference scenario printed by `example` is kept: the variant extends it.
    let printed = run_in(&exe, &plan, &["example", "paris"]).stdout;
    assert_eq!(
        std::fs::read(plan.join("paris-2026.toml")).unwrap(),
        printed
    );
}
