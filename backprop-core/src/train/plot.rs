//! Plots of a training history, as SVG.

use std::path::Path;

use plotters::prelude::*;

use super::History;
use super::history::write_file;
use crate::error::Error;
use crate::float::Float;

/// The size of a row of the plot in pixels: two panels side by side (three for diagnostics).
const SIZE: (u32, u32) = (1000, 420);

/// The colours of the layers in the diagnostics' panels, in order (matplotlib's tab10).
const LAYERS: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Training curves in blue, validation curves in red.
const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VALIDATION: RGBColor = RGBColor(214, 39, 40);

impl<F: Float> History<F> {
    /// The history drawn as an SVG document: the loss per epoch on the left (training and, if
    /// measured, validation) and the accuracy per epoch on the right (for classification costs).
    /// When the epochs have [`diagnostics`](super::Epoch::diagnostics), a second row shows them
    /// per layer: the gradient norm ‖∂C/∂W^l‖ and the update-to-weight ratio ‖ΔW^l‖/‖W^l‖ of
    /// each epoch's first step (logarithmic scales), and for ReLU-like layers the fraction of
    /// units that never fired.
    ///
    /// Text is written as SVG `<text>` elements that the viewer renders, so no fonts need to be
    /// installed where the plot is made.
    pub fn to_svg(&self) -> Result<String, Error> {
        let mut svg = String::new();
        draw(self, &mut svg).map_err(|message| Error::Plot { message })?;
        Ok(svg)
    }

    /// Writes [`to_svg`](History::to_svg) to the file at `path`, replacing it.
    pub fn plot_svg(&self, path: impl AsRef<Path>) -> Result<(), Error> {
        write_file(path.as_ref(), &self.to_svg()?)
    }
}

/// A curve: its label, colour and points (epoch, value).
type Curve = (String, RGBColor, Vec<(u32, f64)>);

fn draw<F: Float>(history: &History<F>, svg: &mut String) -> Result<(), String> {
    let epochs = &history.epochs;
    let points = |value: &dyn Fn(&super::Epoch<F>) -> Option<f64>| -> Vec<(u32, f64)> {
        epochs.iter().filter_map(|e| value(e).map(|v| (epoch(e.epoch), v))).collect()
    };
    let losses: Vec<Curve> = vec![
        ("training".to_owned(), TRAIN, points(&|e| Some(e.train_loss.to_f64()))),
        ("validation".to_owned(), VALIDATION, points(&|e| e.validation_loss.map(Float::to_f64))),
    ];
    let accuracies: Vec<Curve> = vec![
        ("training".to_owned(), TRAIN, points(&|e| e.train_accuracy)),
        ("validation".to_owned(), VALIDATION, points(&|e| e.validation_accuracy)),
    ];
    let has_accuracy = accuracies.iter().any(|(_, _, p)| !p.is_empty());
    let last = epochs.last().map_or(1, |e| epoch(e.epoch)).max(2);
    let layers: Vec<String> = epochs
        .iter()
        .find(|e| !e.diagnostics.is_empty())
        .map(|e| e.diagnostics.iter().map(|d| d.layer.clone()).collect())
        .unwrap_or_default();

    let size = if layers.is_empty() { SIZE } else { (SIZE.0, 2 * SIZE.1) };
    let root = SVGBackend::with_string(svg, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (top, bottom) = if layers.is_empty() {
        (root.clone(), None)
    } else {
        let (top, bottom) = root.split_vertically(SIZE.1);
        (top, Some(bottom))
    };
    let (left, right) =
        if has_accuracy { top.split_horizontally(SIZE.0 / 2) } else { (top.clone(), top.clone()) };
    let (low, high) = bounds(losses.iter().flat_map(|(_, _, p)| p.iter().map(|&(_, v)| v)));
    // Losses fall and accuracies rise towards 1: each legend goes where its curves are not.
    let (upper, lower) = (SeriesLabelPosition::UpperRight, SeriesLabelPosition::LowerRight);
    panel(&left, "loss per epoch", "loss", (1, last), (low, high), &losses, upper)?;
    if has_accuracy {
        panel(&right, "accuracy per epoch", "accuracy", (1, last), (0.0, 1.0), &accuracies, lower)?;
    }
    if let Some(bottom) = bottom {
        diagnostics(history, &layers, &bottom, last)?;
    }
    root.present().map_err(|e| e.to_string())
}

/// The row of diagnostics: gradient norms and update ratios per layer (logarithmic), and the
/// fraction of dead units of the ReLU-like layers, if any.
fn diagnostics<F: Float, DB: DrawingBackend>(
    history: &History<F>,
    layers: &[String],
    area: &DrawingArea<DB, plotters::coord::Shift>,
    last: u32,
) -> Result<(), String> {
    let curves = |value: &dyn Fn(&super::LayerDiagnostics) -> Option<f64>| -> Vec<Curve> {
        layers
            .iter()
            .enumerate()
            .map(|(i, layer)| {
                let points = history
                    .epochs
                    .iter()
                    .filter_map(|e| {
                        let d = e.diagnostics.iter().find(|d| d.layer == *layer)?;
                        value(d).map(|v| (epoch(e.epoch), v))
                    })
                    .collect();
                (layer.clone(), LAYERS[i % LAYERS.len()], points)
            })
            .filter(|(_, _, p): &Curve| !p.is_empty())
            .collect()
    };
    // Values for a logarithmic axis: positive and finite.
    let positive = |v: f64| Some(v).filter(|v| v.is_finite() && *v > 0.0);
    let gradients = curves(&|d| positive(d.gradient_norm));
    let updates = curves(&|d| positive(d.update_ratio));
    let dead = curves(&|d| d.dead_fraction);
    let panels = if dead.is_empty() { 2 } else { 3 };
    let parts = area.split_evenly((1, panels));
    let legend = || SeriesLabelPosition::UpperRight;
    if let Some(part) = parts.first() {
        log_panel(part, "‖∂C/∂W‖ per layer (first batch)", "gradient norm", last, &gradients, legend())?;
    }
    if let Some(part) = parts.get(1) {
        log_panel(part, "‖ΔW‖ / ‖W‖ per layer (first step)", "update / weight", last, &updates, legend())?;
    }
    if let Some(part) = parts.get(2) {
        panel(part, "units that never fired", "fraction of units", (1, last), (0.0, 1.0), &dead, legend())?;
    }
    Ok(())
}

/// A panel with a logarithmic y axis spanning `curves`' values.
fn log_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    last: u32,
    curves: &[Curve],
    legend: SeriesLabelPosition,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let (low, high) = curves
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(_, v)| v))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    let (low, high) = if low > high { (1e-3, 1.0) } else { (low / 2.0, high * 2.0) };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(1..last, (low..high).log_scale())
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_label)
        .y_label_formatter(&|v| tick(*v))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(err)?;
    curves_and_legend(&mut chart, curves, legend).map_err(err)
}

/// A label of a logarithmic axis: plain decimals from 0.001 to 9999 (`0.02`, `3`), else
/// scientific notation (`1e-5`).
fn tick(v: f64) -> String {
    if (1e-3..1e4).contains(&v.abs()) {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        format!("{v:.0e}")
    }
}

/// An epoch number as a coordinate of the plot's integer axis.
fn epoch(e: usize) -> u32 {
    u32::try_from(e).unwrap_or(u32::MAX)
}

/// The range of `values`, padded by 5 % (and widened if they are all equal).
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (low, high) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| (l.min(v), h.max(v)));
    if low > high {
        return (0.0, 1.0);
    }
    let pad = if high > low { 0.05 * (high - low) } else { 0.05 * low.abs().max(1e-3) };
    // Losses are not negative: keep the axis from going below zero for them.
    let bottom = if low >= 0.0 { (low - pad).max(0.0) } else { low - pad };
    (bottom, high + pad)
}

/// One panel: a titled chart with a mesh, axis descriptions, curves and a legend at `legend`.
fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    y_label: &str,
    (x0, x1): (u32, u32),
    (y0, y1): (f64, f64),
    curves: &[Curve],
    legend: SeriesLabelPosition,
) -> Result<(), String> {
    let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc(y_label)
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(err)?;
    curves_and_legend(&mut chart, curves.iter().filter(|(_, _, p)| !p.is_empty()), legend).map_err(err)
}

/// Draws each curve as a line with a dot per epoch, named in a legend at `legend`: the part
/// every panel shares, whatever its y axis.
fn curves_and_legend<
    'a,
    'c,
    DB: DrawingBackend + 'a,
    X: Ranged<ValueType = u32>,
    Y: Ranged<ValueType = f64>,
>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<X, Y>>,
    curves: impl IntoIterator<Item = &'c Curve>,
    legend: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    for (label, color, points) in curves {
        let color = *color;
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))?
            .label(label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled())))?;
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
}
