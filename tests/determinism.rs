//! Reports are identical (all but `engine`) whatever the thread count, and
//! common random numbers keep other nations' draws when one nation changes.

mod common;

use common::{json_without_engine, run};

/// Every form of distribution, drawn probabilities and caps, a bloc, a timeline.
const SCENARIO: &str = forcesim::synth::EVERY_FORM;

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
