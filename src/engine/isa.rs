//! Which vector instruction set the engine's kernels run on.
//!
//! Every kernel with vector forms takes a [`SupportedIsa`]: in normal use
//! [`SupportedIsa::best`], the widest this CPU has (detected once), and in tests any
//! [`Isa::supported`] one, so that a machine with AVX-512 still runs the AVX2 code it ships
//! to machines without. A `SupportedIsa` exists only for an instruction set the CPU has; the
//! kernels' `unsafe` calls into `#[target_feature]` code rely on that, and every such
//! function enables no feature outside its `Isa`'s set (see [`Isa::is_supported`]).

use std::sync::atomic::{AtomicU8, Ordering};

/// A form the kernels are compiled in, narrowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Isa {
    /// The portable build (SSE2 on x86-64): no hand-written vector kernels, and products
    /// that do not suit the direct shapes go to `matrixmultiply`.
    Scalar = 0,
    /// AVX2 and FMA: 8 floats a register.
    Avx2 = 1,
    /// AVX-512 F and DQ, with AVX2 and FMA: 16 floats a register.
    Avx512 = 2,
}

impl Isa {
    /// Every form, narrowest first.
    pub const ALL: [Isa; 3] = [Isa::Scalar, Isa::Avx2, Isa::Avx512];

    /// Whether this CPU has every feature the kernels compiled for `self` use.
    pub fn is_supported(self) -> bool {
        match self {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => {
                Isa::Avx2.is_supported()
                    && std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx512dq")
            }
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Avx2 | Isa::Avx512 => false,
        }
    }

    /// `self` as the kernels take it, or `None` when this CPU lacks it.
    pub fn supported(self) -> Option<SupportedIsa> {
        self.is_supported().then_some(SupportedIsa(self))
    }
}

/// An [`Isa`] this CPU has: what the kernels take, made only by [`SupportedIsa::best`] and
/// [`Isa::supported`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupportedIsa(Isa);

/// `SupportedIsa::best`'s answer as `Isa as u8`, or this before the first call.
const UNDETECTED: u8 = u8::MAX;
static BEST: AtomicU8 = AtomicU8::new(UNDETECTED);

impl SupportedIsa {
    /// The widest instruction set this CPU has: one relaxed load once detected.
    #[inline]
    pub fn best() -> Self {
        match BEST.load(Ordering::Relaxed) {
            0 => SupportedIsa(Isa::Scalar),
            1 => SupportedIsa(Isa::Avx2),
            2 => SupportedIsa(Isa::Avx512),
            _ => Self::detect(),
        }
    }

    #[cold]
    fn detect() -> Self {
        let best = Isa::ALL
            .into_iter()
            .rev()
            .find(|isa| isa.is_supported())
            .unwrap_or(Isa::Scalar);
        BEST.store(best as u8, Ordering::Relaxed);
        SupportedIsa(best)
    }

    pub fn isa(self) -> Isa {
        self.0
    }
}

/// `fn NAME / FORCED(args) { body }` defines `fn FORCED(isa, args)`, which runs the body
/// compiled for `isa` (16 or 8 floats an instruction with AVX-512 or AVX2 instead of SSE2's
/// 4), and `fn NAME(args)`, which runs it for the widest instruction set the CPU has;
/// `fn / FORCED(args)` defines only the former. Only the vector width changes,
/// never the order of operations, so every form gives bit-identical results.
macro_rules! simd_dispatch {
    (
        $(#[$meta:meta])*
        $vis:vis fn $name:ident / $forced:ident($($arg:ident: $ty:ty),* $(,)?) $body:block
    ) => {
        $(#[$meta])*
        #[inline]
        $vis fn $name($($arg: $ty),*) {
            $forced($crate::engine::isa::SupportedIsa::best(), $($arg),*)
        }

        $crate::engine::isa::simd_dispatch! {
            #[doc = concat!("[`", stringify!($name), "`] compiled for `isa`.")]
            #[doc(hidden)]
            $vis fn / $forced($($arg: $ty),*) $body
        }
    };
    // Only the form that takes the instruction set.
    (
        $(#[$meta:meta])*
        $vis:vis fn / $forced:ident($($arg:ident: $ty:ty),* $(,)?) $body:block
    ) => {
        $(#[$meta])*
        $vis fn $forced(isa: $crate::engine::isa::SupportedIsa, $($arg: $ty),*) {
            #[inline(always)]
            fn portable($($arg: $ty),*) $body
            match isa.isa() {
                #[cfg(target_arch = "x86_64")]
                $crate::engine::isa::Isa::Avx512 => {
                    #[target_feature(enable = "avx512f,avx2")]
                    fn avx512($($arg: $ty),*) {
                        portable($($arg),*)
                    }
                    // SAFETY: `isa` is a SupportedIsa, so the CPU has AVX-512F and AVX2.
                    unsafe { avx512($($arg),*) }
                }
                #[cfg(target_arch = "x86_64")]
                $crate::engine::isa::Isa::Avx2 => {
                    #[target_feature(enable = "avx2")]
                    fn avx2($($arg: $ty),*) {
                        portable($($arg),*)
                    }
                    // SAFETY: `isa` is a SupportedIsa, so the CPU has AVX2.
                    unsafe { avx2($($arg),*) }
                }
                _ => portable($($arg),*),
            }
        }
    };
}

pub(crate) use simd_dispatch;
