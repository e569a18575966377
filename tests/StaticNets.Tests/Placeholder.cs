namespace StaticNets.Tests;
