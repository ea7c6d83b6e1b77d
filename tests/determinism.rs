//! Reports are identical (all but `engine`) whatever the thread count, and
//! common random numbers keep other nations' draws when one nation changes.

mod common;

use common::{json_without_engine, run};

const SCENARIO: &str = r#"
[scenario]
name = "determinism"
[simulation]
timeline_days = [10, 40]
[report]
thresholds = { troops = [3000, 6000] }
[capabilities]
troops = { unit = "personnel" }
ships = { unit = "ships" }
[conditions.backstop]
probability = { uniform = [0.5, 0.9] }
[blocs.west]
correlation = 0.3
[domains.land]
lead = ["A", "B"]
requirements = { troops = { triangular = [3000, 4000, 6000] } }
[domains.sea]
lead = ["C"]
requirements = { ships = 4 }
[nations.A]
participation = { pert = [0.6, 0.8, 0.95] }
approval = [{ body = "parliament", probability = 0.9 }]
bloc = "west"
ready_days = { triangular = [5, 20, 60] }
contributions.land.troops = { pert = [1500, 2500, 4000] }
[nations.B]
participation = 0.7
bloc = "west"
if_absent = { A = 0.3, backstop = { uniform = [0.2, 0.4] } }
ready_days = { lognormal = { median = 25, sigma = 0.5 } }
contributions.land.troops = { normal = { mean = 2000, sd = 300 } }
contributions.sea.ships = { discrete = { values = [2, 3, 4], weights = [1, 1, 1] } }
[nations.C]
participation = 0.6
contributions.sea.ships = { uniform = [1, 4] }
contributions.land.troops = 500
"#;

#[test]
fn reports_do_not_depend_on_threads() {
    // 11 blocks and a partial one: every thread count splits them differently.
    let trials = 11 * 4096 + 123;
    let one = json_without_engine(&run(SCENARIO, trials, 42, 1));
    for threads in [2, 3, 4] {
        let other = json_without_engine(&run(SCENARIO, trials, 42, threads));
        assert_eq!(one, other, "{threads} threads changed the report");
    }
    // A different seed changes it (so the comparison above can fail).
    assert_ne!(one, json_without_engine(&run(SCENARIO, trials, 43, 2)));
}

#[test]
fn changing_one_nation_keeps_the_others_draws() {
    let trials = 50_000;
    let base = run(SCENARIO, trials, 7, 2);
    let edited = SCENARIO.replace(
        "contributions.sea.ships = { uniform = [1, 4] }",
        "contributions.sea.ships = { uniform = [1, 9] }",
    );
    let other = run(&edited, trials, 7, 2);
    // C's participation draws are its own: identical; A's and B's figures too.
    for id in ["A", "B", "C"] {
        assert_eq!(
            base.nations[id].p_participates,
            other.nations[id].p_participates
        );
    }
    assert_eq!(
        base.nations["A"].mean_provided,
        other.nations["A"].mean_provided
    );
    assert_eq!(
        base.nations["B"].mean_provided,
        other.nations["B"].mean_provided
    );
    assert_eq!(base.domains["land"], other.domains["land"]);
    assert_ne!(base.domains["sea"], other.domains["sea"]);

    // Each contribution has its own stream: changing B's land troops changes
    // neither B's decisions nor its ships, nor anything of A or C.
    let edited = SCENARIO.replace(
        "{ normal = { mean = 2000, sd = 300 } }",
        "{ pert = [1000, 2500, 3000] }",
    );
    let other = run(&edited, trials, 7, 2);
    for id in ["A", "B", "C"] {
        assert_eq!(
            base.nations[id].p_participates,
            other.nations[id].p_participates
        );
    }
    assert_eq!(
        base.nations["B"].mean_provided["ships"],
        other.nations["B"].mean_provided["ships"]
    );
    assert_ne!(
        base.nations["B"].mean_provided["troops"],
        other.nations["B"].mean_provided["troops"]
    );
    assert_eq!(base.domains["sea"], other.domains["sea"]);
    assert_eq!(
        base.nations["A"].mean_provided,
        other.nations["A"].mean_provided
    );
}
