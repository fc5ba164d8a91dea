//! Plots of a training history, as SVG.

use std::path::Path;

use plotters::prelude::*;

use super::History;
use super::history::write_file;
use crate::{Error, Float};

/// The size of the plot in pixels: two panels side by side.
const SIZE: (u32, u32) = (1000, 420);

/// Training curves in blue, validation curves in red.
const TRAIN: RGBColor = RGBColor(31, 119, 180);
const VALIDATION: RGBColor = RGBColor(214, 39, 40);

impl<F: Float> History<F> {
    /// The history drawn as an SVG document: the loss per epoch on the left (training and, if
    /// measured, validation) and the accuracy per epoch on the right (for classification costs).
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
type Curve = (&'static str, RGBColor, Vec<(u32, f64)>);

fn draw<F: Float>(history: &History<F>, svg: &mut String) -> Result<(), String> {
    let epochs = &history.epochs;
    let points = |value: &dyn Fn(&super::Epoch<F>) -> Option<f64>| -> Vec<(u32, f64)> {
        epochs.iter().filter_map(|e| value(e).map(|v| (epoch(e.epoch), v))).collect()
    };
    let losses: Vec<Curve> = vec![
        ("training", TRAIN, points(&|e| Some(e.train_loss.to_f64()))),
        ("validation", VALIDATION, points(&|e| e.validation_loss.map(Float::to_f64))),
    ];
    let accuracies: Vec<Curve> = vec![
        ("training", TRAIN, points(&|e| e.train_accuracy)),
        ("validation", VALIDATION, points(&|e| e.validation_accuracy)),
    ];
    let has_accuracy = accuracies.iter().any(|(_, _, p)| !p.is_empty());
    let last = epochs.last().map_or(1, |e| epoch(e.epoch)).max(2);

    let root = SVGBackend::with_string(svg, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    let (left, right) =
        if has_accuracy { root.split_horizontally(SIZE.0 / 2) } else { (root.clone(), root.clone()) };
    let (low, high) = bounds(losses.iter().flat_map(|(_, _, p)| p.iter().map(|&(_, v)| v)));
    // Losses fall and accuracies rise towards 1: each legend goes where its curves are not.
    let (upper, lower) = (SeriesLabelPosition::UpperRight, SeriesLabelPosition::LowerRight);
    panel(&left, "loss per epoch", "loss", (1, last), (low, high), &losses, upper)?;
    if has_accuracy {
        panel(&right, "accuracy per epoch", "accuracy", (1, last), (0.0, 1.0), &accuracies, lower)?;
    }
    root.present().map_err(|e| e.to_string())
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
    for (label, color, points) in curves.iter().filter(|(_, _, p)| !p.is_empty()) {
        let color = *color;
        chart
            .draw_series(LineSeries::new(points.iter().copied(), color.stroke_width(2)))
            .map_err(err)?
            .label(*label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, color.filled()))).map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(legend)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}
