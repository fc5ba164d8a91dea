//! Fashion-MNIST (H. Xiao, K. Rasul and R. Vollgraf, *Fashion-MNIST: a Novel Image Dataset for
//! Benchmarking Machine Learning Algorithms*, 2017): 28×28 grey images of Zalando's articles in
//! ten classes, 60 000 for training and 10 000 for testing, in the IDX format of MNIST.
//!
//! [`load`] takes the full set where the machine has it and falls back on a subset bundled with
//! the crate, so that code using it runs anywhere:
//!
//! 1. the folder named by the environment variable `BACKPROP_FASHION_MNIST` ([`ENV_VAR`]), if it
//!    is set (to the word `bundled` ([`BUNDLED`]), it selects the bundled subset even where the
//!    full set is installed);
//! 2. `/usr/share/datasets/fashion-mnist`, where Debian's package `dataset-fashion-mnist`
//!    installs the full set ([`DEBIAN_DIR`]);
//! 3. the bundled subset ([`bundled_dir`]): the first 500 training images of each class and the
//!    first 100 test images of each class, 5000 and 1000 images in the order of the full set
//!    (`data/README.md` of the `backprop-core` crate says how it was made and gives the licence,
//!    MIT, © 2017 Zalando SE).
//!
//! A folder holds the four files [`FILES`], each gzipped (`.gz`) or not.
//!
//! ```
//! use backprop_core::data::fashion_mnist;
//!
//! let data = fashion_mnist::load::<f32>()?;
//! println!("{} training and {} test images from {}", data.train.len(), data.test.len(), data.source);
//! if data.source.is_bundled() {
//!     println!("{}", fashion_mnist::HOW_TO_GET_FULL);
//! }
//! assert_eq!((data.train.features(), data.train.num_classes()), (784, 10));
//! # Ok::<(), backprop_core::Error>(())
//! ```

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use super::{Dataset, idx};
use crate::error::Error;
use crate::float::Float;

/// The classes, in the order of their labels.
pub const CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The environment variable that names a folder holding the full set, or is [`BUNDLED`].
pub const ENV_VAR: &str = "BACKPROP_FASHION_MNIST";

/// The value of [`ENV_VAR`] that selects the bundled subset even where the full set is
/// installed, to try a program on the small set. (A folder of that name is `./bundled`.)
pub const BUNDLED: &str = "bundled";

/// Where Debian's package `dataset-fashion-mnist` installs the full set.
pub const DEBIAN_DIR: &str = "/usr/share/datasets/fashion-mnist";

/// The names of the four files of the set, without `.gz`: training images and labels, test
/// images and labels.
pub const FILES: [&str; 4] = [
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
];

/// The height and width of an image, in pixels.
pub const IMAGE_SIZE: (usize, usize) = (28, 28);

/// What to tell a user who has the bundled subset only.
pub const HOW_TO_GET_FULL: &str = "for the full Fashion-MNIST (60000 training and 10000 test images), \
     run `sudo apt install dataset-fashion-mnist` (Debian, Ubuntu) or set BACKPROP_FASHION_MNIST to a \
     folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz \
     and t10k-labels-idx1-ubyte.gz";

/// The folder of the subset bundled with the crate.
pub fn bundled_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/data/fashion-mnist-subset"))
}

/// Where a loaded set came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// The folder named by [`ENV_VAR`].
    Env(PathBuf),
    /// [`DEBIAN_DIR`], from Debian's package `dataset-fashion-mnist`.
    Debian(PathBuf),
    /// The subset bundled with the crate, in [`bundled_dir`].
    Bundled(PathBuf),
}

impl Source {
    /// Where [`load`] reads from: the bundled subset if [`ENV_VAR`] is [`BUNDLED`], else the
    /// folder named by [`ENV_VAR`] if it is set (even if the files are not there: then [`load`]
    /// says so), else [`DEBIAN_DIR`] if it holds the training images, else the bundled subset.
    pub fn locate() -> Source {
        locate(std::env::var_os(ENV_VAR), Path::new(DEBIAN_DIR))
    }

    /// The folder of the files.
    pub fn dir(&self) -> &Path {
        match self {
            Source::Env(dir) | Source::Debian(dir) | Source::Bundled(dir) => dir,
        }
    }

    /// Whether this is the bundled subset rather than the full set.
    pub fn is_bundled(&self) -> bool {
        matches!(self, Source::Bundled(_))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Env(dir) => write!(f, "{} (named by {ENV_VAR})", dir.display()),
            Source::Debian(dir) => write!(f, "{} (Debian's dataset-fashion-mnist)", dir.display()),
            Source::Bundled(dir) => write!(f, "the subset bundled with backprop, {}", dir.display()),
        }
    }
}

/// [`Source::locate`], with the value of the environment variable and the Debian folder given.
fn locate(env: Option<OsString>, debian: &Path) -> Source {
    match env.filter(|dir| !dir.is_empty()) {
        Some(value) if value == BUNDLED => Source::Bundled(bundled_dir()),
        Some(dir) => Source::Env(PathBuf::from(dir)),
        None if find(debian, FILES[0]).is_ok() => Source::Debian(debian.to_path_buf()),
        None => Source::Bundled(bundled_dir()),
    }
}

/// The training and test sets of Fashion-MNIST, and where they came from.
#[derive(Clone, Debug, PartialEq)]
pub struct FashionMnist<F> {
    /// The training images (one per row, 784 pixels scaled to [0, 1]) and their labels.
    pub train: Dataset<F>,
    /// The test images and their labels.
    pub test: Dataset<F>,
    /// The folder they were read from.
    pub source: Source,
}

/// Loads Fashion-MNIST from the first place of [`Source::locate`]: the full set if the machine
/// has it, the bundled subset otherwise.
pub fn load<F: Float>() -> Result<FashionMnist<F>, Error> {
    let source = Source::locate();
    let (train, test) = load_dir(source.dir())?;
    Ok(FashionMnist { train, test, source })
}

/// Loads the training and test sets from the four [`FILES`] in `dir`, each gzipped or not.
/// Images must be 28×28 and labels below 10; a missing file is an [`Error::Io`] naming it.
pub fn load_dir<F: Float>(dir: impl AsRef<Path>) -> Result<(Dataset<F>, Dataset<F>), Error> {
    let dir = dir.as_ref();
    let [train_images, train_labels, test_images, test_labels] = FILES;
    let classes: Vec<String> = CLASSES.iter().map(|c| c.to_string()).collect();
    let set = |images, labels| {
        idx::read_pair(&find(dir, images)?, &find(dir, labels)?, classes.clone(), Some(IMAGE_SIZE))
    };
    Ok((set(train_images, train_labels)?, set(test_images, test_labels)?))
}

/// The file `name` in `dir`, gzipped (`name.gz`) or not.
fn find(dir: &Path, name: &str) -> Result<PathBuf, Error> {
    let gzipped = dir.join(format!("{name}.gz"));
    let plain = dir.join(name);
    if gzipped.is_file() {
        Ok(gzipped)
    } else if plain.is_file() {
        Ok(plain)
    } else {
        Err(Error::Io {
            path: gzipped,
            kind: std::io::ErrorKind::NotFound,
            message: format!(
                "no such file, nor `{name}` without .gz: the folder must hold the four files {} (each gzipped or not)",
                FILES.join(", ")
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

    #[test]
    fn the_environment_variable_comes_first_then_debian_then_the_bundled_subset() {
        let bundled = bundled_dir();
        let nowhere = Path::new("/nonexistent/backprop-test");
        assert_eq!(locate(Some("/data/fm".into()), &bundled), Source::Env("/data/fm".into()));
        assert_eq!(locate(Some("".into()), &bundled), Source::Debian(bundled.clone()));
        assert_eq!(locate(None, &bundled), Source::Debian(bundled.clone()));
        assert_eq!(locate(None, nowhere), Source::Bundled(bundled));
    }

    #[test]
    fn bundled_in_the_environment_variable_selects_the_subset_even_where_the_full_set_is() {
        let full = bundled_dir(); // a folder that holds the files, standing in for Debian's
        assert_eq!(locate(Some(BUNDLED.into()), &full), Source::Bundled(bundled_dir()));
        assert_eq!(locate(Some("./bundled".into()), &full), Source::Env("./bundled".into()));
    }

    #[test]
    fn a_folder_without_the_files_is_an_error_naming_the_first_missing_one() {
        let error = load_dir::<f32>("/nonexistent/backprop-test").unwrap_err();
        let Error::Io { path, kind, message } = &error else { panic!("{error:?}") };
        assert_eq!(path, Path::new("/nonexistent/backprop-test/train-images-idx3-ubyte.gz"));
        assert_eq!(*kind, std::io::ErrorKind::NotFound);
        assert!(message.contains("without .gz"), "{message}");
    }
}
