//! The instruction sets the hot loops are compiled for, and the one place their
//! target features are spelled.
//!
//! The binary targets any x86-64 processor; the trial stages (and the draw floor
//! of the benchmark) are also compiled for x86-64-v3 (AVX2, BMI1/2, LZCNT, MOVBE)
//! and x86-64-v4 (AVX-512 F/BW/CD/DQ/VL), and the best copy the processor can run
//! is chosen at run time. Every copy computes the same thing: results are bit for
//! bit the same (Rust never fuses a multiply and an add, and square roots are
//! exact in all), which a test checks.
//!
//! Safety by construction: an [`Isa`] can only be obtained from [`Isa::detect`] or
//! [`Isa::available`], which check the processor for every feature of the level,
//! and the copies compiled for a level are reached only through
//! [`multiversion!`], which calls the copy of the `Isa` it is given.

/// `x86_levels!([callback] (args…))` calls `callback!(args… ; LEVEL [features] …)` with every level above the
/// baseline, lowest first, each with the full list of its target features. This is
/// the only place the lists are written: detection and the compiled copies both
/// read them from here.
macro_rules! x86_levels {
    ([$($callback:tt)*] ( $($args:tt)* )) => {
        $($callback)*! {
            $($args)* ;
            V3 ["avx", "avx2", "bmi1", "bmi2", "lzcnt", "movbe", "popcnt"]
            V4 ["avx", "avx2", "bmi1", "bmi2", "lzcnt", "movbe", "popcnt",
                "avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]
        }
    };
}

/// Defines `fn NAME(isa: Isa, args…) -> R` that runs `BODY(args…)` compiled for
/// `isa`: one safe `#[target_feature]` copy per level of [`x86_levels!`], each
/// inlining `BODY` (which must be `#[inline(always)]` for the copies to differ),
/// and the baseline call for the baseline.
///
/// ```ignore
/// multiversion!(fn batches(plan: &Plan, len: usize) = batches_inline);
/// ```
macro_rules! multiversion {
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) = $body:path) => {
        $crate::isa::multiversion!($(#[$meta])* $vis fn $name($($arg: $ty),*) -> () = $body);
    };
    ($(#[$meta:meta])* $vis:vis fn $name:ident($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty = $body:path) => {
        $crate::isa::x86_levels!([$crate::isa::multiversion] (
            @define [$(#[$meta])*] $vis $name isa
            (isa: $crate::isa::Isa, $($arg: $ty),*) ($($arg: $ty),*) ($($arg),*) $ret, $body
        ));
    };
    (@define [$($meta:tt)*] $vis:vis $name:ident $isa:ident $outer:tt $params:tt $call:tt $ret:ty, $body:path ;
        $($level:ident [$($feature:tt),*])*) => {
        $($meta)*
        $vis fn $name $outer -> $ret {
            $(
                #[cfg(target_arch = "x86_64")]
                #[allow(non_snake_case)]
                $(#[target_feature(enable = $feature)])*
                fn $level $params -> $ret {
                    $body $call
                }
            )*
            match $isa.level() {
                $crate::isa::Level::Baseline => $body $call,
                $(
                    #[cfg(target_arch = "x86_64")]
                    // SAFETY: an `Isa` is made only by `Isa::detect` or
                    // `Isa::available`, which return this level only where
                    // `is_x86_feature_detected!` confirmed every feature it is
                    // compiled with (the same list, from `x86_levels!`).
                    $crate::isa::Level::$level => unsafe { $level $call },
                )*
            }
        }
    };
}

/// `at_v4! { fn NAME(args…) -> R { BODY } }` defines `NAME` compiled with every
/// target feature of x86-64-v4 (the list of [`x86_levels!`]), for a body written
/// with that level's intrinsics. Calling it is `unsafe`: the caller must hold an
/// [`Isa`] of that level ([`Isa::has_v4`]).
#[cfg(target_arch = "x86_64")]
macro_rules! at_v4 {
    ($(#[$meta:meta])* $vis:vis fn $name:ident $($rest:tt)*) => {
        $crate::isa::x86_levels!([$crate::isa::at_v4] (
            @define [$(#[$meta])*] {$vis fn $name $($rest)*}
        ));
    };
    (@define [$($meta:tt)*] {$($item:tt)*} ;
        V3 [$($v3:tt),*] V4 [$($feature:tt),*]) => {
        $($meta)*
        $(#[target_feature(enable = $feature)])*
        $($item)*
    };
}

#[cfg(target_arch = "x86_64")]
pub(crate) use at_v4;
pub(crate) use multiversion;
pub(crate) use x86_levels;

/// The levels, from the baseline up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    /// Any processor.
    Baseline,
    /// x86-64-v3.
    #[cfg(target_arch = "x86_64")]
    V3,
    /// x86-64-v4.
    #[cfg(target_arch = "x86_64")]
    V4,
}

/// Pushes each level of [`x86_levels!`] whose features this processor has, in
/// order, stopping at the first it lacks.
#[cfg(target_arch = "x86_64")]
macro_rules! detect {
    ($levels:ident ; $($level:ident [$($feature:tt),*])*) => {
        $(
            if !($(std::arch::is_x86_feature_detected!($feature))&&*) {
                return $levels;
            }
            $levels.push(Isa(Level::$level));
        )*
    };
}

/// An instruction-set level this processor runs. It has no public constructor:
/// the only ways to get one are [`Isa::detect`] and [`Isa::available`], so an
/// `Isa` always names a level the processor has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Isa(Level);

impl Isa {
    /// The best level this processor runs.
    pub fn detect() -> Isa {
        Isa::available()
            .last()
            .copied()
            .unwrap_or(Isa(Level::Baseline))
    }

    /// Every level this processor runs, from the baseline up.
    pub fn available() -> Vec<Isa> {
        #[allow(unused_mut)]
        let mut levels = vec![Isa(Level::Baseline)];
        #[cfg(target_arch = "x86_64")]
        x86_levels!([detect](levels));
        levels
    }

    /// The baseline: any processor runs it.
    pub fn baseline() -> Isa {
        Isa(Level::Baseline)
    }

    /// Whether it is x86-64-v4: every feature [`at_v4!`] compiles with is there.
    #[inline(always)]
    pub(crate) fn has_v4(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        return self.0 == Level::V4;
        #[cfg(not(target_arch = "x86_64"))]
        return false;
    }

    /// Its level (for [`multiversion!`]).
    #[inline(always)]
    pub(crate) fn level(self) -> Level {
        self.0
    }

    /// Its usual name.
    pub fn name(self) -> &'static str {
        match self.0 {
            Level::Baseline => "baseline",
            #[cfg(target_arch = "x86_64")]
            Level::V3 => "x86-64-v3",
            #[cfg(target_arch = "x86_64")]
            Level::V4 => "x86-64-v4",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_listed_from_the_baseline_up() {
        let all = Isa::available();
        assert_eq!(all[0], Isa::baseline());
        assert!(all.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(Isa::detect(), *all.last().unwrap());
    }

    #[inline(always)]
    fn add(a: u64, b: u64) -> u64 {
        a.wrapping_add(b)
    }

    multiversion!(fn add_on(a: u64, b: u64) -> u64 = add);

    #[test]
    fn every_copy_computes_the_same() {
        for isa in Isa::available() {
            assert_eq!(add_on(isa, 2, 40), 42, "{}", isa.name());
        }
    }
}
