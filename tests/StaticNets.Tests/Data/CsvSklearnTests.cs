using System;
using System.IO;
using Xunit;

namespace StaticNets.Tests.Data;

/// <summary>
/// The CSV options for scikit-learn's bundled files and exports: SkipLines, LabelColumn from the end, LabelColumnName,
/// MapClassNames / ClassNames (reported on the data set) and the header rule. The fixtures have the shape of
/// iris.csv, wine_data.csv and breast_cancer.csv (first line n_samples,n_features,class names…; labels last) with
/// made-up rows.
/// </summary>
public sealed class CsvSklearnTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    // iris.csv's shape: the first line has as many fields as the rows (4 features + 3 names = 5).
    private const string IrisShaped = "4,4,setosa,versicolor,virginica\n5.0,3.3,1.2,0.3,0\n6.1,2.7,4.4,1.3,1\n7.0,3.1,5.8,2.0,2\n4.9,3.0,1.3,0.2,0\n";

    // wine_data.csv's shape: a header of 5 fields over rows of 4 (3 features here, the label last).
    private const string WineShaped = "3,3,class_0,class_1,class_2\n13.1,2.2,110,0\n12.4,1.8,95,1\n12.9,3.9,88,2\n";

    // breast_cancer.csv's shape: a header of 4 fields over rows of 6 (5 features, the label last).
    private const string CancerShaped = "2,5,malignant,benign\n17.5,10.2,120.1,1001,0.11,0\n12.3,15.8,78.4,460.5,0.09,1\n";

    private string Write(string name, string content) => _temp.Write(name, content);

    private InvalidDataException Reject(string content, CsvOptions options)
    {
        string path = Write("bad.csv", content);
        var e = Assert.Throws<InvalidDataException>(() => CsvLoader.Load<float>(path, options));
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Sklearn_headers_of_every_length_give_shape_checked_rows_and_class_names()
    {
        var iris = CsvLoader.Load<float>(Write("iris.csv", IrisShaped), new CsvOptions { HasHeader = true });
        Assert.Equal((4, 4, 3), (iris.Count, iris.InputSize, iris.TargetSize));
        Assert.Equal(new[] { 0, 1, 2, 0 }, iris.Labels.ToArray());
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, iris.ClassNames);
        Assert.Equal(new[] { 5.0f, 3.3f, 1.2f, 0.3f }, iris.Input(0).ToArray());

        var wine = CsvLoader.Load<double>(Write("wine.csv", WineShaped), new CsvOptions { HasHeader = true });
        Assert.Equal((3, 3, 3), (wine.Count, wine.InputSize, wine.TargetSize));
        Assert.Equal(new[] { "class_0", "class_1", "class_2" }, wine.ClassNames);
        Assert.Equal(new[] { 12.4, 1.8, 95 }, wine.Input(1).ToArray());

        var cancer = CsvLoader.Load<float>(_temp.Write("cancer.csv.gz", TestData.Gzip(System.Text.Encoding.UTF8.GetBytes(CancerShaped))), new CsvOptions { HasHeader = true });
        Assert.Equal((2, 5, 2), (cancer.Count, cancer.InputSize, cancer.TargetSize));
        Assert.Equal(new[] { "malignant", "benign" }, cancer.ClassNames);
        Assert.Equal(new[] { 0, 1 }, cancer.Labels.ToArray());

        // The names survive splits and subsets.
        var (train, test) = iris.Split(0.5, 1);
        Assert.Equal(iris.ClassNames, train.ClassNames);
        Assert.Equal(iris.ClassNames, test.ClassNames);
        Assert.Equal(iris.ClassNames, iris.Take(2).ClassNames);

        // A shape line without names is fine too; integer labels then set the class count.
        var bare = CsvLoader.Load<float>(Write("bare.csv", "2,2\n1,2,0\n3,4,1\n"), new CsvOptions { HasHeader = true });
        Assert.Null(bare.ClassNames);
        Assert.Equal(2, bare.TargetSize);
    }

    [Fact]
    public void An_export_with_a_names_header_and_string_classes_maps_names_in_ordinal_order()
    {
        const string csv = "sepal_length,sepal_width,petal_length,petal_width,species\n"
            + "5.0,3.3,1.2,0.3,setosa\n6.3,2.9,5.6,1.8,virginica\n6.1,2.7,4.4,1.3,versicolor\n4.8,3.1,1.5,0.1,setosa\n";
        var data = CsvLoader.Load<float>(Write("iris_export.csv", csv), new CsvOptions { HasHeader = true, LabelColumnName = "species", MapClassNames = true });
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, data.ClassNames);
        Assert.Equal(new[] { 0, 2, 1, 0 }, data.Labels.ToArray());
        Assert.Equal(3, data.TargetSize);
        Assert.Equal(new[] { 0f, 0, 1 }, data.Target(1).ToArray());

        // Explicit ClassNames fix the order (and the count with Classes).
        var ordered = CsvLoader.Load<float>(Write("iris_export.csv", csv), new CsvOptions
        {
            HasHeader = true, LabelColumnName = "species", ClassNames = new[] { "virginica", "versicolor", "setosa" }, Classes = 4,
        });
        Assert.Equal(new[] { 2, 0, 1, 2 }, ordered.Labels.ToArray());
        Assert.Equal(new[] { "virginica", "versicolor", "setosa" }, ordered.ClassNames);
        Assert.Equal(4, ordered.TargetSize);

        // The label column by name anywhere in the row, white space trimmed.
        var first = CsvLoader.Load<double>(Write("first.csv", " kind , a, b\nsmall,1,2\nlarge,3,4\n"), new CsvOptions { HasHeader = true, LabelColumnName = "kind", MapClassNames = true });
        Assert.Equal(new[] { "large", "small" }, first.ClassNames);
        Assert.Equal(new[] { 1, 0 }, first.Labels.ToArray());
        Assert.Equal(new[] { 1.0, 2, 3, 4 }, first.Inputs.ToArray());
    }

    [Fact]
    public void SkipLines_and_negative_label_columns()
    {
        var skipped = CsvLoader.Load<float>(Write("skip.csv", "# made by a tool, v2\n\n3,4,0\n5,6,1\n"), new CsvOptions { SkipLines = 2 });
        Assert.Equal(new[] { 3f, 4, 5, 6 }, skipped.Inputs.ToArray());
        var titled = CsvLoader.Load<float>(Write("titled.csv", "Iris, a title, with commas\n" + IrisShaped), new CsvOptions { SkipLines = 1, HasHeader = true });
        Assert.Equal(new[] { "setosa", "versicolor", "virginica" }, titled.ClassNames);
        // Without the option the comment line is data and fails with its line and column.
        Assert.Contains("line 1, column 1: expected a number, found '# made by a tool'", Reject("# made by a tool, v2\n3,4,0\n", new CsvOptions()).Message, StringComparison.Ordinal);

        var second = CsvLoader.Load<float>(Write("neg.csv", "1,0,2\n3,1,4\n"), new CsvOptions { LabelColumn = -2 });
        Assert.Equal(new[] { 0, 1 }, second.Labels.ToArray());
        Assert.Equal(new[] { 1f, 2, 3, 4 }, second.Inputs.ToArray());
        var regression = CsvLoader.Load<double>(Write("reg.csv", "1,0.5,0.25,9\n2,1.5,1.25,8\n"), new CsvOptions { RegressionTargets = 2, LabelColumn = -2 });
        Assert.Equal(new[] { 0.5, 0.25, 1.5, 1.25 }, regression.Targets.ToArray());
        Assert.Equal(new[] { 1.0, 9, 2, 8 }, regression.Inputs.ToArray());
    }

    [Fact]
    public void Content_errors_name_file_line_column_expected_and_found()
    {
        var hdr = new CsvOptions { HasHeader = true };
        Assert.EndsWith("line 1, column 1: expected n_samples = 4 (the data rows that follow), found 5.",
            Reject(IrisShaped.Replace("4,4,setosa", "5,4,setosa", StringComparison.Ordinal), hdr).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 1: expected a header of 3 column names (as the rows have) or scikit-learn's 'n_samples,n_features,…' line, found 2 fields ('a,b').",
            Reject("a,b\n1,2,0\n", hdr).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 1: expected scikit-learn's 'n_samples,n_features,…' header with n_features = 2 (the input columns of the rows), found n_features 9.",
            Reject("3,9,x,y\n1,2,0\n", hdr).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 3, column 3: expected a class label in [0, 2) (the header names 2 classes), found '2'.",
            Reject("2,2,a,b\n1,2,0\n3,4,2\n", hdr).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 1, column 4: expected distinct, non-blank class names after n_samples and n_features, found 'a' twice.",
            Reject("1,2,a,a\n1,2,0\n", hdr).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 1: expected at most 2 class names (Classes = 2), found 3: 'setosa', 'versicolor', 'virginica'.",
            Reject(IrisShaped, new CsvOptions { HasHeader = true, Classes = 2 }).Message, StringComparison.Ordinal);

        var byName = new CsvOptions { HasHeader = true, LabelColumnName = "kind", MapClassNames = true };
        Assert.EndsWith("line 1: expected a column named 'kind' (LabelColumnName), found the columns 'a', 'b', 'species'.",
            Reject("a,b,species\n1,2,x\n", byName).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 1: expected a header of column names to find LabelColumnName 'kind' in, found scikit-learn's n_samples,n_features line ('1,2,x,y').",
            Reject("1,2,x,y\n1,2,x\n", byName).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 3, column 3: expected one of the class names 'setosa', 'versicolor', found 'virginica'.",
            Reject("a,b,c\n1,2,setosa\n3,4,virginica\n", new CsvOptions { ClassNames = new[] { "setosa", "versicolor" }, HasHeader = true }).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 2, column 3: expected a class name, found an empty field.",
            Reject("1,2,a\n3,4,\n", new CsvOptions { MapClassNames = true }).Message, StringComparison.Ordinal);
        Assert.EndsWith(": expected at most 2 class names (Classes = 2), found 3: 'a', 'b', 'c'.",
            Reject("1,a\n2,b\n3,c\n", new CsvOptions { MapClassNames = true, Classes = 2 }).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 2, column 3: expected an integer class label, found 'setosa' (set MapClassNames = true for class names).",
            Reject("1,2,0\n3,4,setosa\n", new CsvOptions()).Message, StringComparison.Ordinal);
        Assert.EndsWith("line 1: expected a label column starting at zero-based column -2 (LabelColumn -5) to fit in the row, found 3 columns.",
            Reject("1,2,0\n", new CsvOptions { LabelColumn = -5 }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inconsistent_options_are_rejected_with_the_option_named()
    {
        string path = Write("ok.csv", "a,b\n1,0\n");
        void Throws<TException>(CsvOptions options, string message) where TException : ArgumentException
        {
            var e = Assert.Throws<TException>("options", () => CsvLoader.Load<float>(path, options));
            Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        }
        Throws<ArgumentOutOfRangeException>(new CsvOptions { SkipLines = -1 }, "Expected SkipLines ≥ 0; actual -1.");
        Throws<ArgumentException>(new CsvOptions { LabelColumnName = "b" }, "Expected HasHeader = true with LabelColumnName 'b' (the name is looked up in the header); actual HasHeader = false.");
        Throws<ArgumentException>(new CsvOptions { HasHeader = true, LabelColumnName = " " }, "Expected a non-blank LabelColumnName; actual an empty name.");
        Throws<ArgumentException>(new CsvOptions { HasHeader = true, LabelColumnName = "b", LabelColumn = 0 }, "Expected either LabelColumn or LabelColumnName; both are set (0, 'b').");
        Throws<ArgumentException>(new CsvOptions { RegressionTargets = 1, MapClassNames = true }, "Expected class names (MapClassNames, ClassNames) only for class labels; RegressionTargets is 1.");
        Throws<ArgumentException>(new CsvOptions { ClassNames = new[] { "x", "y", "x" } }, "Expected distinct, non-blank ClassNames; actual 'x' twice at index 2.");
        Throws<ArgumentException>(new CsvOptions { ClassNames = new[] { "x", "y", "z" }, Classes = 2 }, "Expected Classes ≥ the 3 ClassNames; actual 2.");
    }
}
